"""The notifications page: a user's review news, with links straight to each thread."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from .. import db
from ..auth.current import check_csrf, load_user
from ..i18n import translate
from ..models import Card
from ..services import access
from ..services import notifications as inbox
from . import views
from .pages import login_required


@views.get("/notifications")
@login_required
def notifications():
    session, user = db.session(), load_user()
    notes = inbox.inbox(session, user)
    cards = {c.id: c for c in session.query(Card).filter(Card.id.in_({n.card_id for n in notes} or {0}))}
    rows = [{"note": n, "card": cards.get(n.card_id), "summary": inbox.summary(session, n, user.language),
             "excerpt": inbox.excerpt(session, n)} for n in notes]
    return render_template("notifications.html", rows=rows, unread=inbox.unread_count(session, user),
                           mail_on=user.mail_notifications)


@views.post("/notifications")
@login_required
def update_notifications():
    check_csrf()
    session, user = db.session(), load_user()
    if request.form.get("action") == "read_all":
        inbox.mark_read(session, user, None)
    elif request.form.get("action") == "mail":
        user.mail_notifications = request.form.get("mail") == "on"
        flash(translate("inbox.saved"), "ok")
    session.commit()
    return redirect(url_for("views.notifications"))


@views.get("/notifications/<int:note_id>")
@login_required
def open_notification(note_id: int):
    """Mark one notification read and go to its thread."""
    session, user = db.session(), load_user()
    note = session.get(inbox.Notification, note_id) if access.is_id(note_id) else None
    if note is None or note.user_id != user.id:
        return redirect(url_for("views.notifications"))
    inbox.mark_read(session, user, [note.id])
    session.commit()
    return redirect(inbox.link(note))
