"""Invest-first actions that run only under maker-checker."""
