"""Publicity's application functions: projections fed by events, and queries."""
