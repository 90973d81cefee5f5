"""Each user's inbox of review news, and the mail that repeats it when SMTP is configured.

Who hears of what: the people mentioned; everyone who wrote in a thread when someone replies
there or resolves it; the card's lead and co-lead when a thread is started on their card.
Nobody hears of their own doing, and nobody who can no longer see the card. Mail goes out in
groups, at most one per user and card every MAIL_GAP (a busy workshop would otherwise flood
everyone's mailbox), in the user's language, unless they turned it off.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from .. import policy
from ..i18n import translate
from ..models import Card, Comment, Notification, RoleAssignment, Thread, User, utcnow
from ..review import bodies
from . import mail

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

MAIL_GAP = timedelta(minutes=10)
MAIL_LOCK = (0x494C545A, 0)  # PostgreSQL advisory lock: one process mails at a time
INBOX_LIMIT = 200


def _add(session: Session, users: list[User], kind: str, card: Card, thread: Thread | None,
         comment: Comment | None, actor: User, skip: set[int]) -> list[User]:
    added = []
    for user in users:
        if user.id == actor.id or user.id in skip or not policy.allowed(session, user, "card.view", card):
            continue
        skip.add(user.id)
        session.add(Notification(user_id=user.id, kind=kind, card_id=card.id, thread=thread,
                                 comment_id=comment.id if comment is not None else None, actor_id=actor.id,
                                 mailed_at=None if user.mail_notifications else utcnow()))
        added.append(user)
    return added


def _participants(session: Session, thread: Thread) -> list[User]:
    ids = {c.author_id for c in thread.comments} | {thread.created_by_id}
    return list(session.scalars(select(User).where(User.id.in_(ids))))


def leads(session: Session, card: Card) -> list[User]:
    """The card's lead and co-lead accounts."""
    ids = select(RoleAssignment.user_id).where(RoleAssignment.card_id == card.id,
                                               RoleAssignment.role.in_(("lead", "co_lead")))
    return list(session.scalars(select(User).where(User.id.in_(ids))))


def thread_created(session: Session, card: Card, thread: Thread, comment: Comment, actor: User,
                   mentioned: list[User]) -> None:
    skip: set[int] = set()
    _add(session, mentioned, "mention", card, thread, comment, actor, skip)
    _add(session, leads(session, card), "new_thread", card, thread, comment, actor, skip)


def replied(session: Session, card: Card, thread: Thread, comment: Comment, actor: User,
            mentioned: list[User]) -> None:
    skip: set[int] = set()
    _add(session, mentioned, "mention", card, thread, comment, actor, skip)
    _add(session, _participants(session, thread), "reply", card, thread, comment, actor, skip)


def mentioned(session: Session, card: Card, thread: Thread, comment: Comment, actor: User,
              users: list[User]) -> None:
    _add(session, users, "mention", card, thread, comment, actor, set())


def resolved(session: Session, card: Card, thread: Thread, actor: User) -> None:
    _add(session, _participants(session, thread), "resolved", card, thread, None, actor, set())


def workflow_event(session: Session, card: Card, kind: str, actor: User | None, users: list[User],
                   thread: Thread | None = None) -> None:
    """A card was submitted (to the parties who sign), approved or sent back (to its leads)."""
    if actor is None:
        return
    _add(session, users, kind, card, thread, thread.comments[0] if thread is not None and thread.comments else None,
         actor, set())


# -- the inbox -----------------------------------------------------------------------------

def inbox(session: Session, user: User, unread_only: bool = False) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(INBOX_LIMIT)))


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user: User, ids: list[int] | None) -> int:
    """Mark some (or, with None, all) of `user`'s notifications read; returns how many changed."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    return session.execute(query.values(read_at=utcnow())).rowcount or 0


def summary(session: Session, note: Notification, lang: str) -> str:
    """One line saying what happened, in `lang` (names as they are; pages escape them)."""
    return translate(f"notify.{note.kind}", lang, actor=note.actor.name)


def excerpt(session: Session, note: Notification) -> str:
    """The comment's text (or the thread's first), shortened, for the inbox and the mail."""
    comment = session.get(Comment, note.comment_id) if note.comment_id else None
    if comment is None and note.thread is not None:
        comment = note.thread.comments[0] if note.thread.comments else None
    if comment is None or comment.deleted_at is not None:
        return ""
    names = dict(session.execute(select(User.id, User.name).where(
        User.id.in_(bodies.mentioned_ids(comment.body) or [0]))).all())
    text = bodies.plain(comment.body, names)
    return text if len(text) <= 280 else text[:279] + "…"


def as_json(session: Session, note: Notification, lang: str) -> dict[str, Any]:
    return {"id": note.id, "kind": note.kind, "card_id": note.card_id, "thread_id": note.thread_id,
            "comment_id": note.comment_id, "actor": {"id": note.actor.id, "name": note.actor.name},
            "summary": summary(session, note, lang), "excerpt": excerpt(session, note),
            "created_at": note.created_at.isoformat(timespec="seconds") + "Z",
            "read": note.read_at is not None, "url": link(note)}


def link(note: Notification) -> str:
    if note.thread_id is None:
        return f"/cards/{note.card_id}#approval"
    return f"/cards/{note.card_id}#thread-{note.thread_id}"


# -- mail -------------------------------------------------------------------------------------

def send_due(session: Session, config: dict[str, Any], now: datetime | None = None) -> int:
    """Mail every group of unmailed notifications whose (user, card) was not mailed recently.

    Returns:
        How many mails were sent. A mail that fails is tried again next time.
    """
    if not config.get("SMTP_HOST"):
        return 0
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            select(func.pg_try_advisory_xact_lock(*MAIL_LOCK))):
        return 0  # another server process is mailing right now
    pending = list(session.scalars(select(Notification).where(Notification.mailed_at.is_(None))
                                   .order_by(Notification.id)))
    groups: dict[tuple[int, int], list[Notification]] = {}
    for note in pending:
        groups.setdefault((note.user_id, note.card_id), []).append(note)
    sent = 0
    for (user_id, card_id), notes in groups.items():
        last = session.scalar(select(func.max(Notification.mailed_at)).where(
            Notification.user_id == user_id, Notification.card_id == card_id,
            Notification.mailed_at.is_not(None)))
        if last is not None and now - last < MAIL_GAP:
            continue
        user = session.get(User, user_id)
        card = session.get(Card, card_id)
        if user is None or card is None:
            continue
        if not user.mail_notifications:
            for note in notes:
                note.mailed_at = now
            continue
        lang = user.language
        base = (config.get("PUBLIC_URL") or "").rstrip("/")
        lines = [translate("mail.review_intro", lang, number=card.number), ""]
        for note in notes:
            lines.append("• " + summary(session, note, lang))
            text = excerpt(session, note)
            if text:
                lines.append("  " + text.replace("\n", "\n  "))
            lines.append("  " + base + link(note))
        lines += ["", translate("mail.review_footer", lang)]
        subject = translate("mail.review_subject", lang, number=card.number, n=len(notes))
        if mail.send(config, user.email, subject, "\n".join(lines)):
            for note in notes:
                note.mailed_at = now
            sent += 1
    session.commit()
    return sent



def mail_forever(app: Any, interval: float = 60.0) -> None:
    """Send due mail every `interval` seconds, for as long as the process runs (serve.py)."""
    import gevent

    from .. import db

    while True:
        gevent.sleep(interval)
        with app.app_context():
            try:
                send_due(db.session(), app.config)
            except Exception:
                log.exception("notification mail round failed; trying again next round")
            finally:
                db.close_session()
