"""The notify domain: pure rules and deciders (standard library, pydantic, contracts)."""
