"""The scoping walk's part for the lending app (see __init__.py)."""
