"""Who may read and change equity rows (registered with `accounts.scoping`)."""
