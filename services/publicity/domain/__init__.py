"""Publicity's domain: what may be shown to the public, and how it is masked."""
