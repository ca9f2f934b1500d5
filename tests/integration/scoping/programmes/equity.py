"""The scoping walk's part for the equity app (see __init__.py)."""
