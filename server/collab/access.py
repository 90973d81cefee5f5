"""Who is on the socket and what they may do with a card, asked of server/policy.py.

Nothing here decides a rule: `authenticate` resolves the user the way HTTP requests do, and
`member` asks the policy for "card.view", "card.edit" and "card.comment". Decisions are
cached per connection: the services announce every change they make (room events), which
re-decides the members concerned at once; changes made behind the services' back are caught
within `RECHECK_SECONDS` (setting COLLAB_RECHECK_SECONDS). When one member's decision is
stale, `Connections` re-decides the whole room with `redecide`: two queries for two hundred
members instead of three each.
"""
from __future__ import annotations

import logging
import time
import zlib
from dataclasses import dataclass, field, replace
from typing import Any
from collections.abc import Iterable

from flask import g, session as cookie_session

from .. import db, policy
from ..auth.current import load_user, session_valid
from ..auth.tokens import user_for_token
from ..models import Card, User
from .errors import NoAccess, Unauthenticated, UnknownCard

log = logging.getLogger(__name__)

RECHECK_SECONDS = 5.0
# Most to least powerful: the role reported in the join acknowledgement.
ROLE_ORDER = ("coordinator", "lead", "co_lead", "contributor", "approver", "steering", "reviewer", "viewer")
# Presence colours (readable on white, distinct for neighbours); one per user, stable.
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#ff7f0e", "#393b79", "#637939", "#843c39")


@dataclass
class Member:
    """A user's standing in one card's room, as last decided by the policy."""

    user_id: int
    card_id: int
    role: str | None
    can_edit: bool
    can_comment: bool
    identity: dict[str, Any] = field(default_factory=dict)
    checked: float = field(default_factory=time.monotonic)
    why_not_edit: str | None = None  # the policy's reason key when can_edit is false
    card_status: str | None = None  # the card's status when this was decided
    roles: tuple[str, ...] = ()  # every role held on the card, strongest first (`role` is the first)

    def ack(self) -> dict[str, Any]:
        """The join acknowledgement (with the policy's reason when the member may not edit)."""
        ack = {"ok": True, "role": self.role, "roles": list(self.roles), "can_edit": self.can_edit,
               "can_comment": self.can_comment}
        if self.identity.get("color"):
            ack["color"] = self.identity["color"]
        if not self.can_edit:
            ack["reason"] = self.why_not_edit
        return ack


@dataclass(frozen=True)
class Credential:
    """Who opened a connection and with what, so it can be checked again later.

    `token` is the API token the script sent (kept in this process's memory only); `cookie`
    the browser session's contents at the handshake.
    """

    user_id: int
    token: str | None = None
    cookie: dict[str, Any] | None = None


def authenticate(auth: Any) -> Credential:
    """Who is opening a socket.

    Args:
        auth: the Socket.IO connect payload; `{"token": API_TOKEN}` for scripts. Browsers send
            none and are known by their session cookie (the handshake request carries it).

    Returns:
        The user and the credential they used.

    Raises:
        Unauthenticated: no valid token and no logged-in session.
    """
    session = db.session()
    if isinstance(auth, dict) and auth.get("token") is not None:
        token = str(auth["token"])[:200]
        user = user_for_token(session, token)
        session.commit()  # the token's last_used_at
        if user is None:
            raise Unauthenticated()
        return Credential(user.id, token=token)
    g.pop("user", None)
    user = load_user()
    if user is None:
        raise Unauthenticated()
    return Credential(user.id, cookie=dict(cookie_session))


def still_valid(credential: Credential) -> bool:
    """Whether the credential a connection was opened with still holds (token not revoked,
    session not ended by a logout or a password change)."""
    session = db.session()
    if credential.token is not None:
        user = user_for_token(session, credential.token)
        session.commit()
        return user is not None and user.id == credential.user_id
    user = session.get(User, credential.user_id)
    return user is not None and credential.cookie is not None and session_valid(user, credential.cookie)


def colour_for(user_id: int) -> str:
    return COLOURS[zlib.crc32(str(user_id).encode()) % len(COLOURS)]


def with_distinct_colour(standing: Member, present: Iterable[Member],
                         worn: Iterable[tuple[int, str]] = ()) -> Member:
    """`standing`, its presence colour changed if another person present already wears it.

    Args:
        standing: the joining connection's standing, with the person's usual colour.
        present: the standings of the room's members on this process.
        worn: (user id, colour) of the presence states the room holds, those of members on
            other server processes included.

    Each person keeps their usual colour when it is free (and the colour they already have in
    another tab of the same card); otherwise the first free one. Beyond twelve people colours
    repeat, from the usual one.
    """
    taken: dict[str, int] = {}
    for user_id, colour in [*((m.user_id, m.identity.get("color")) for m in present), *worn]:
        if not colour:
            continue
        taken.setdefault(colour, user_id)
        if user_id == standing.user_id:
            return replace(standing, identity={**standing.identity, "color": colour})
    mine = standing.identity.get("color")
    if not mine or taken.get(mine, standing.user_id) == standing.user_id:
        return standing
    free = next((c for c in COLOURS if c not in taken), mine)
    return replace(standing, identity={**standing.identity, "color": free})


def identity_of(user: User) -> dict[str, Any]:
    """The `user` object others see in this user's presence state."""
    org = user.organisation
    return {"id": user.id, "name": user.name,
            "organisation": org.name_fr if org else None,
            "organisation_ar": org.name_ar if org else None,
            "color": colour_for(user.id)}


def member(user_id: int, card_id: Any) -> Member:
    """Decide what `user_id` may do in card `card_id`'s room.

    Raises:
        UnknownCard: no card has that id.
        NoAccess: the user may not view it.
    """
    if not isinstance(card_id, int) or isinstance(card_id, bool):
        raise UnknownCard("The card id must be an integer.")
    session = db.session()
    card = session.get(Card, card_id)
    user = session.get(User, user_id)
    if card is None:
        raise UnknownCard()
    if user is None:
        raise NoAccess("Your account no longer exists.")
    roles = policy.roles_of(session, user, card)
    view = policy.judge(roles, "card.view", card)
    if not view:
        raise NoAccess(f"You may not open this card ({view.reason}).")
    return _standing(roles, card, user_id, identity_of(user))


def stale(standing: Member, seconds: float = RECHECK_SECONDS) -> bool:
    """Whether `standing` was decided more than `seconds` ago."""
    return time.monotonic() - standing.checked >= seconds


def standing_event(standing: Member | None) -> dict[str, Any]:
    """The `standing` room event telling a connection what it may now do on a card."""
    if standing is None:
        return {"kind": "standing", "joined": False, "role": None, "roles": [], "can_edit": False,
                "can_comment": False, "reason": "policy.no_role"}
    return {"kind": "standing", "joined": True, "role": standing.role, "roles": list(standing.roles),
            "can_edit": standing.can_edit, "can_comment": standing.can_comment, "reason": standing.why_not_edit}


def redecide(card_id: int, standings: list[Member]) -> dict[int, Member | None]:
    """Fresh decisions for members of one card's room, in two queries whatever their number.

    Returns:
        user id -> the new standing (keeping its presence identity), or None for a user who
        may no longer see the card. Everyone is None when the card no longer exists.
    """
    session = db.session()
    card = session.get(Card, card_id)
    if card is None:
        return {s.user_id: None for s in standings}
    identities = {s.user_id: s.identity for s in standings}
    roles = policy.card_roles_of(session, identities, card)
    return {uid: _standing(roles[uid], card, uid, identity) if policy.judge(roles[uid], "card.view", card)
            else None for uid, identity in identities.items()}


def card_state(card_id: int) -> dict[str, Any] | None:
    """What every member of a card is told when the card itself changed (its status)."""
    card = db.session().get(Card, card_id)
    return None if card is None else {"kind": "card", "status": card.status}


def _standing(roles: set[str], card: Card, user_id: int, identity: dict[str, Any]) -> Member:
    """What someone holding `roles`, who may view `card`, may do in its room."""
    edit = policy.judge(roles, "card.edit", card)
    held = tuple(r for r in ROLE_ORDER if r in roles)
    return Member(user_id=user_id, card_id=card.id, role=held[0] if held else None, roles=held,
                  can_edit=edit.allowed, can_comment=policy.judge(roles, "card.comment", card).allowed,
                  identity=identity, why_not_edit=None if edit else edit.reason, card_status=card.status)
