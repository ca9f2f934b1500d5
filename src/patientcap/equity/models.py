"""Database rows of equity."""
