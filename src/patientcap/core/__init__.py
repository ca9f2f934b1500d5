"""The shell around every app: base layout, home pages, navigation and operator commands."""
