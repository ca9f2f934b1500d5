"""The API operations of the lending app in the scoping walk (see __init__.py)."""
