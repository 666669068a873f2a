"""Publicity's domain: what may be shown to the public, how it is masked, and when a
notice ends (Chinese working days, from the maintained chinese-calendar package)."""
