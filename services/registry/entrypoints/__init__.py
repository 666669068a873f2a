"""The registry entrypoints: HTTP routers and Faust agents, thin over the application."""
