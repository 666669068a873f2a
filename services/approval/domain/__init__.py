"""The approval domain: pure rules and deciders (standard library, pydantic, contracts)."""
