"""The scoping walk's part for the investments app (see __init__.py)."""
