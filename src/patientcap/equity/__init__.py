"""Cap tables, priced rounds, SAFEs and notes, anti-dilution, the liquidation waterfall, and
the 凤栖 angel fund's holdings with their exit plans and next-round trackers."""
