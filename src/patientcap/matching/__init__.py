"""双融领创通: bank credit matched to the public equity investment, with the 7-working-day
deadline, pauses and the SLA report."""
