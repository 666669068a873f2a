"""The registry's application functions: one per command, load - decide - append."""
