"""The scoping walk's part for the evaluation app (see __init__.py)."""
