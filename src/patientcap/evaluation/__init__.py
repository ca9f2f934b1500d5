"""Scoring firms on versioned rule sets: evaluations with reasons and counterfactuals,
overrides, objections, what-if, batch scoring (in-process or on Dask)."""
