"""Accounts and credentials: passwords, API tokens, sessions, CSRF, login throttling, and the
browser protections every response carries (security headers)."""
