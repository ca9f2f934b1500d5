"""Early-stage valuations with several methods, the range and chosen point, and the
state-asset checks for public money."""
