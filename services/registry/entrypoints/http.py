"""The registry HTTP API: routers parse the request, build a command, call the application.

Empty for now: the shared ``/health`` and ``/ready`` come from ``infra.http.app``.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["registry"])
