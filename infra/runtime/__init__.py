"""Running onecard: one service (``serve``), the relay, the local broker, or all of it (``up``).

Each is an async function of the settings that runs until SIGINT or SIGTERM and then closes
what it opened, in reverse order; the CLI (``infra/cli/runtime.py``) calls them.
"""

from __future__ import annotations

from infra.runtime.processes import up
from infra.runtime.serve import run_consumers, serve
from infra.runtime.standalone import broker, relay

__all__ = ["broker", "relay", "run_consumers", "serve", "up"]
