"""Identity and permissions, shared by every service: real-name users, their roles and
jurisdictions, login, tokens, and the one policy that says who may do what where."""
