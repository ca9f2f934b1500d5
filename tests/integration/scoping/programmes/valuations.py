"""The scoping walk's part for the valuations app (see __init__.py)."""
