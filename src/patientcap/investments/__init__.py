"""先投(研)后股: applications, committee decisions, agreements, tranches, milestones,
conversion, write-off (容亏) and exits of the zone's invest-first projects."""
