"""The double-entry ledger of the fiscal pool and the risk-compensation pool."""
