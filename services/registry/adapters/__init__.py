"""The registry adapters: the service's ports implemented on real infrastructure."""
