"""The approval application: one function per command (load, decide, append)."""
