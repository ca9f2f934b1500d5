"""Maker-checker actions of valuations (filled below)."""
