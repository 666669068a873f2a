"""The notify application: one function per command (load, decide, append)."""
