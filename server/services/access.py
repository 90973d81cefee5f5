"""Finding a row by id and requiring a right on it: the one helper the API and the pages share.

Both raise the services' errors (NotFound, Forbidden), which server/errors.py turns into a JSON
answer under /api and an error page elsewhere.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from .. import policy
from ..i18n import translate
from .errors import Forbidden, NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..models import User

T = TypeVar("T")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


def is_id(value: Any) -> bool:
    """Whether `value` could be a row id (an int, not a bool, between 1 and MAX_ID)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def get(session: Session, model: type[T], ident: Any, message: str) -> T:
    """The `model` row with id `ident`, or NotFound with `message` (an impossible id finds nothing)."""
    obj = session.get(model, ident) if is_id(ident) else None
    if obj is None:
        raise NotFound(message)
    return obj


def require(session: Session, user: User | None, action: str, obj: Any, lang: str | None = None, *,
            name_action: bool = True) -> None:
    """Forbidden unless `user` may: the policy's reason in `lang`, after the action's id for
    scripts (`name_action`), alone for a person reading a page."""
    decision = policy.decide(session, user, action, obj)
    if not decision:
        reason = translate(decision.reason, lang or "en")
        raise Forbidden(f"{action} refused: {reason}" if name_action else reason)
