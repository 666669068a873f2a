"""The registry's domain: pure rules and deciders (standard library, pydantic, contracts)."""
