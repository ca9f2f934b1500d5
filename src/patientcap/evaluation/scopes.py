"""Who may read and change evaluation rows (registered with `accounts.scoping`)."""
