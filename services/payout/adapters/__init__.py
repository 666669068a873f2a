"""The payout adapters: the service's ports implemented on real infrastructure."""
