"""Organisations, users and roles: who someone is and which organisation's rows they may touch."""
