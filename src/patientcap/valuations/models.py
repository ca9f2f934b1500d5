"""Database rows of valuations."""
