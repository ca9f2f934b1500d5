"""The API operations of the matching app in the scoping walk (see __init__.py)."""
