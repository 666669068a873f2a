"""The publicity entrypoints: HTTP routers and Faust agents, thin over the application."""
