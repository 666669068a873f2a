# The two commands of the README. Each creates what it needs on a fresh machine:
# a private uv (pinned), then the locked environment in .venv (uv.lock: same versions everywhere).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))

.PHONY: run test bench browser
run: $(VENV)/.synced ## the main job on embedded defaults
	$(VENV)/bin/onecard run $(ARGS)

test: $(VENV)/.synced browser ## lint, types and every test tier
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -ra

bench: $(VENV)/.synced ## benchmarks, printed as tables (see bench/README.md)
	$(VENV)/bin/python -m bench.eventstore

# The public pages are tested in headless Debian Chromium (driven by Playwright, which is told
# where it is rather than downloading its own). Installed once when missing and allowed to.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian chromium for the page tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
	      >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; \
	  else \
	    echo "no $(CHROMIUM) and cannot install it: page tests will skip (or fail under CI=true)"; \
	  fi; \
	fi

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode compiled once here: every service is its own process, and an interpreter that
# compiles faust, sqlalchemy, pydantic … on each start (PYTHONDONTWRITEBYTECODE hosts never
# keep it) took ~17 s instead of ~4 s to start under load.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	$(VENV)/bin/python -m compileall -q -j 0 contracts infra services >/dev/null
	touch $@
