"""Database rows of investments."""
