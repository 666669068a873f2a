"""The publicity entrypoints: HTTP routers and the public pages (Jinja2 templates), thin over
the application."""
