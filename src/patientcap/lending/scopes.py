"""Who may read and change lending rows (registered with `accounts.scoping`)."""
