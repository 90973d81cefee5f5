"""Sign-in, sign-out, interface language, invitation acceptance, forgotten passwords."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from .. import db
from ..auth.current import check_csrf, load_user, log_in, log_out
from ..auth.passwords import MIN_LENGTH, verify_password
from ..i18n import translate
from ..models import LANGUAGES, Card, Plan
from ..services import accounts, live, password_reset
from ..services import roles as role_service
from ..services.errors import ServiceError
from . import views

# Controls, format characters (bidi, zero-width) and line/paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site, else the home page.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    "/\t/evil.example" would be "//evil.example", another site; such characters are removed
    before the check (and a line break would break the Location header).
    """
    cleaned = "".join(c for c in target or "" if c != "\\" and unicodedata.category(c) not in _INVISIBLE)
    parts = urlsplit(cleaned)
    if cleaned.startswith("/") and not cleaned.startswith("//") and not parts.scheme and not parts.netloc:
        return cleaned
    return url_for("views.home")


@views.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        # Just signed out: the page tells the browser to forget its unsent card edits.
        g.signed_out = session.pop("signed_out", False)
        return render_template("login.html", next=request.args.get("next", ""))
    check_csrf()
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"
    throttle = current_app.extensions["iltizam.throttle"]
    wait = throttle.wait(email, address)
    if wait:
        flash(translate("login.throttled", n=wait), "error")
        page = render_template("login.html", next=request.form.get("next", ""), email=email)
        return page, 429, {"Retry-After": str(wait)}
    found = accounts.find_by_email(db.session(), email)
    if not verify_password(found.password_hash if found else None, password):
        throttle.failed(email, address)
        flash(translate("login.failed"), "error")
        return render_template("login.html", next=request.form.get("next", ""), email=email), 401
    throttle.succeeded(email, address)
    log_in(found)
    return redirect(_safe_next(request.form.get("next")))


@views.post("/logout")
def logout():
    check_csrf()
    user = load_user()
    if user is not None:
        # Signing out ends the account's sessions everywhere, so a copied cookie dies too.
        accounts.end_sessions(db.session(), user, "logout")
        db.session().commit()
        live.credentials_revoked(user.id)
    log_out()
    session["signed_out"] = True
    target = request.form.get("next")
    if target:  # back to where sign-out was offered (an invitation for another account)
        response = redirect(url_for("views.login", next=_safe_next(target)))
    else:
        response = redirect(url_for("views.login"))
    # Unsent card edits kept in this browser (IndexedDB, editor/src/collab/unsent.js) are the
    # signed-out person's: the browser drops them (over https or on localhost; elsewhere the
    # login page's script does, src/local-drafts.js).
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@views.post("/language")
def set_language():
    check_csrf()
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        user = load_user()
        if user is not None:
            user.language = lang
            db.session().commit()
    return redirect(_safe_next(request.form.get("next")))


@views.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    config = current_app.config
    try:
        invitation = role_service.invitation_for_token(db.session(), token, config["SECRET_KEY"],
                                                       config["INVITATION_DAYS"])
    except ServiceError as exc:
        return render_template("error.html", status=exc.status, code=exc.code,
                               message=role_service.message_for(exc)), exc.status
    user = load_user()
    existing = accounts.find_by_email(db.session(), invitation.email)

    plan = db.session().get(Plan, invitation.plan_id)
    card = db.session().get(Card, invitation.card_id) if invitation.card_id else None

    def page(status: int = 200, **extra: object):
        return render_template("invitation.html", invitation=invitation, user=user, existing=existing,
                               plan=plan, card=card, min_length=MIN_LENGTH, **extra), status

    # An invitation is for the address it was sent to: someone signed in as another account is
    # offered to sign out, and an address with an account needs that account's password.
    if user is not None and user.email != invitation.email:
        flash(translate("invitation.wrong_account"), "error")
        return page(403, wrong_account=True)
    if request.method == "GET":
        return page()
    check_csrf()
    if user is None and existing is None:
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        problem = accounts.name_problem(name)
        if problem or len(password) < MIN_LENGTH:
            flash(translate(problem or "invitation.need_name_password", n=MIN_LENGTH), "error")
            return page(422)
        try:
            user = accounts.create_account(db.session(), invitation.email, name, password, g.get("lang", "ar"),
                                           why="invitation")
        except ServiceError:
            flash(translate("invitation.need_name_password", n=MIN_LENGTH), "error")
            return page(422)
    elif user is None:
        return redirect(url_for("views.login", next=request.path))
    try:
        assignment = role_service.accept(db.session(), invitation, user)
    except ServiceError as exc:
        db.session().rollback()
        return render_template("error.html", status=exc.status, code=exc.code,
                               message=role_service.message_for(exc)), exc.status
    db.session().commit()
    role_service.announce(assignment.plan_id, assignment.card_id, user.id)
    log_in(user)
    if assignment.card_id:
        return redirect(url_for("views.card_page", card_id=assignment.card_id))
    return redirect(url_for("views.plan_dashboard", plan_id=assignment.plan_id))


# --- forgotten passwords -----------------------------------------------------------------

@views.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    config = current_app.config
    mailing = bool(config.get("SMTP_HOST"))
    if request.method == "GET" or not mailing:
        return render_template("forgot.html", mailing=mailing)
    check_csrf()
    email = request.form.get("email", "").strip().lower()
    wait = current_app.extensions["iltizam.reset_limit"].take(email, request.remote_addr or "unknown")
    if wait:
        flash(translate("reset.throttled", n=wait), "error")
        return render_template("forgot.html", mailing=True, email=email), 429, {"Retry-After": str(wait)}
    try:
        password_reset.mail_link(db.session(), config, email,
                                 lambda token: url_for("views.reset_password", token=token, _external=True))
    except ServiceError as exc:
        flash(role_service.message_for(exc), "error")
        return render_template("forgot.html", mailing=True, email=email), exc.status
    db.session().commit()
    return render_template("forgot.html", mailing=True, sent=True,
                           minutes=config["PASSWORD_RESET_SECONDS"] // 60)


@views.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    config = current_app.config
    session = db.session()

    def refused(exc: ServiceError):
        return render_template("error.html", status=exc.status, code=exc.code,
                               message=role_service.message_for(exc)), exc.status

    try:
        account = password_reset.user_for_token(session, token, config["SECRET_KEY"],
                                                config["PASSWORD_RESET_SECONDS"])
    except ServiceError as exc:
        return refused(exc)
    if request.method == "GET":
        return render_template("reset.html", account=account, min_length=MIN_LENGTH)
    check_csrf()
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        flash(translate("reset.mismatch"), "error")
        return render_template("reset.html", account=account, min_length=MIN_LENGTH), 422
    try:
        account = password_reset.complete(session, token, password, config["SECRET_KEY"],
                                          config["PASSWORD_RESET_SECONDS"])
    except ServiceError as exc:
        session.rollback()
        if exc.status != 422:
            return refused(exc)
        flash(role_service.message_for(exc), "error")
        return render_template("reset.html", account=account, min_length=MIN_LENGTH), 422
    session.commit()
    live.credentials_revoked(account.id)
    # Every session of the account has ended; this browser, which proved it holds the link,
    # starts a new one.
    log_in(account)
    flash(translate("reset.done"), "ok")
    return redirect(url_for("views.home"))
