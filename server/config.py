"""Configuration read from the environment, with the embedded defaults of `make run`."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

INSTANCE = Path(os.environ.get("ILTIZAM_INSTANCE", Path.cwd() / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one kept in the instance folder across restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment() -> dict[str, Any]:
    return {
        "SECRET_KEY": _secret_key(),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'iltizam.db'}"),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "SOCKETIO_ASYNC_MODE": os.environ.get("SOCKETIO_ASYNC_MODE") or None,
        # Secure cookies whenever the public address is https, or when asked explicitly.
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
        or os.environ.get("PUBLIC_URL", "").startswith("https://"),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "iltizam@localhost"),
        # How many reverse proxies in front append to X-Forwarded-For (docs/deployment.md);
        # 0 trusts no such header, so nobody can pose as another address.
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        # A session ends this long after sign-in however active it is (unlike
        # PERMANENT_SESSION_LIFETIME, which every request renews).
        "SESSION_ABSOLUTE_SECONDS": int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 3600))),
    }


DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "INVITATION_DAYS": 14,
    "PASSWORD_RESET_SECONDS": 3600,
    # "Forgot password" requests, counted whether or not the address has an account, so the
    # form cannot flood anyone's mailbox nor tell which addresses exist.
    "RESET_REQUESTS_PER_ACCOUNT": 3,
    "RESET_REQUESTS_PER_ADDRESS": 20,
    "RESET_REQUEST_WINDOW_SECONDS": 3600,
    # Login throttling (server/auth/throttle.py): free failures per account and address, then
    # a delay doubling from LOGIN_DELAY_SECONDS; failures are forgotten after a quiet window.
    "LOGIN_ATTEMPTS": 5,
    "LOGIN_WINDOW_SECONDS": 900,
    "LOGIN_DELAY_SECONDS": 30,
    "LOGIN_MAX_DELAY_SECONDS": 900,
    "LOGIN_ACCOUNT_ATTACK": 20,   # failures on one account, all addresses: no more free retries
    "LOGIN_ADDRESS_LIMIT": 100,   # failures from one address, all accounts: scripted guessing
    # Comment writes (threads, replies, edits) one person may make per minute: a flood is refused.
    "REVIEW_WRITES_PER_MINUTE": 30,
}
