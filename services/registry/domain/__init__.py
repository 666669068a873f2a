"""The registry's domain: pure rules and deciders (standard library, pydantic, contracts, and
python-stdnum — a rules library with no I/O — for ID numbers, card numbers and region codes)."""
