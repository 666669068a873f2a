"""The payout application: one function per command (load, decide, append)."""
