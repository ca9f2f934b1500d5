"""The API operations of the evaluation app in the scoping walk (see __init__.py)."""
