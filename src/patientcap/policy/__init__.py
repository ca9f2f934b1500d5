"""Policy: dated programme parameters (policy/*.yaml) and the official working-day calendar."""
