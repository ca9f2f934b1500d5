"""Who may read and change investments rows (registered with `accounts.scoping`)."""
