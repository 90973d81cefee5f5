"""The engine's errors, each with the code a client sees in an acknowledgement.

Handlers never build error payloads themselves: they catch `CollabError` and call `ack()`,
so every code is written here once and listed in docs/protocol.md.
"""
from __future__ import annotations

from typing import Any


class CollabError(Exception):
    """Base of every refusal the engine answers with `{"ok": false, "error": code}`."""

    code = "error"
    default_message = "The request could not be handled."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message

    def ack(self) -> dict[str, Any]:
        """The acknowledgement payload for this error."""
        return {"ok": False, "error": self.code, "message": self.message}


class BadRequest(CollabError):
    code = "bad_request"
    default_message = "The event's arguments are not what the protocol expects."


class MalformedMessage(CollabError):
    code = "malformed"
    default_message = "The message is not a well-formed y-protocols message."


class UnknownMessageType(CollabError):
    code = "unknown_type"
    default_message = "Unknown y-protocols message type."


class MessageTooLarge(CollabError):
    code = "too_large"
    default_message = "The message is larger than the documented limit."


class InvalidUpdate(CollabError):
    code = "invalid_update"
    default_message = "The update cannot be applied to this document (it refers to missing structure)."


class DocumentTooLarge(CollabError):
    code = "document_too_large"
    default_message = "The card's document would grow past its size limit; the update was refused."


class InvalidShape(CollabError):
    code = "invalid_shape"
    default_message = "The update does not fit the card's template (see docs/document-model.md)."


class UnknownCard(CollabError):
    code = "unknown_card"
    default_message = "There is no such card."


class NoAccess(CollabError):
    code = "no_access"
    default_message = "You may not open this card."


class NotJoined(CollabError):
    code = "not_joined"
    default_message = "Join the card before sending messages for it."


class ReadOnly(CollabError):
    code = "read_only"
    default_message = "You may not edit this card; the update was refused."


class AwarenessRefused(CollabError):
    code = "awareness_refused"
    default_message = "That presence entry belongs to another connection."


class PresenceLimit(CollabError):
    code = "presence_limit"
    default_message = "Presence updates are limited in number, size and rate; this one was refused."


class Unavailable(CollabError):
    code = "unavailable"
    default_message = ("The change is held in memory but could not be saved yet; "
                       "keep it and send it again (it will be acknowledged once saved).")


class Unauthenticated(CollabError):
    code = "unauthenticated"
    default_message = "Log in, or connect with auth {\"token\": API_TOKEN}."
