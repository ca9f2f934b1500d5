"""Who may read and change valuations rows (registered with `accounts.scoping`)."""
