"""Database rows of lending."""
