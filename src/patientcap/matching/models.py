"""Database rows of matching."""
