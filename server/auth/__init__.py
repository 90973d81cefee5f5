"""Accounts and credentials: passwords, API tokens, sessions, CSRF, login throttling."""
