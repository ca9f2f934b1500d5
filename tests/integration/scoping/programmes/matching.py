"""The scoping walk's part for the matching app (see __init__.py)."""
