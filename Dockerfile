# One image for the relay and the five services: `onecard relay`, `onecard serve <service>`.
# Installed with uv from uv.lock (the exact versions the tests ran), without the dev group.
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:3.11-slim-bookworm AS build
COPY --from=uv /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY contracts ./contracts
COPY infra ./infra
COPY services ./services
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim-bookworm
RUN useradd --uid 10001 --create-home onecard
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1
USER onecard
WORKDIR /home/onecard
ENTRYPOINT ["onecard"]
CMD ["--help"]
