"""People of the desk: users, passwords, API tokens."""
