"""Publicity's adapters: its projection tables."""
