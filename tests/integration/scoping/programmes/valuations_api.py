"""The API operations of the valuations app in the scoping walk (see __init__.py)."""
