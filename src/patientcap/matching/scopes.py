"""Who may read and change matching rows (registered with `accounts.scoping`)."""
