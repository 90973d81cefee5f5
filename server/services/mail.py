"""Sending invitation mail when SMTP is configured; otherwise the link is only shown."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)


def send_invitation(config: dict[str, Any], to: str, link: str) -> bool:
    """Mail the invitation link. Returns False (and logs why) when it was not sent."""
    return send(config, to, "Iltizam — دعوة / invitation", f"مرحبا،\nBonjour,\n\n{link}\n")


def send(config: dict[str, Any], to: str, subject: str, text: str) -> bool:
    """Mail a plain-text message. Returns False (and logs why) when it was not sent."""
    if not config.get("SMTP_HOST"):
        return False
    message = EmailMessage()
    message["From"] = config["SMTP_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail to %s not sent: %s", to, exc)
        return False
    return True
