"""The API operations of the investments app in the scoping walk (see __init__.py)."""
