"""Publicity's adapters: its projection tables (masked data only) and the objection rate limits."""
