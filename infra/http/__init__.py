"""The HTTP side every service shares: the app factory, readiness probes, request context
(correlation id, trace span) and the JSON error shape."""
