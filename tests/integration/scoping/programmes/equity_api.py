"""The API operations of the equity app in the scoping walk (see __init__.py)."""
