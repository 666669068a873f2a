"""Publicity's application functions: the notice board fed by events (and the reaction that
starts a notice), the notice clock, objections, the calendar, and queries."""
