"""Database rows of evaluation."""
