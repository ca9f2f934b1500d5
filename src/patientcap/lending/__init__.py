"""科企梯度贷: tiered risk-shared loans, servicing, classification, claims, compensation and
recovery, and the bank and guarantor workspaces."""
