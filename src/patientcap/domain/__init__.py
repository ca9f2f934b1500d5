"""The pure domain: standard library and numpy only. No Django, no I/O, no clock."""
