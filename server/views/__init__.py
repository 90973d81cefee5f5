"""Server-rendered pages. Each view checks the policy, calls a service, renders a template."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, g, url_for

from ..auth.current import csrf_token, load_user
from ..content.canonical import plain_text
from ..i18n import catalogue

views = Blueprint("views", __name__)
BUILD = Path("build")


@views.app_context_processor
def _globals() -> dict[str, Any]:
    def editor_bundle(name: str = "editor") -> str | None:
        """The URL of a script built from editor/ (editor/build.mjs), None when not built."""
        bundle = BUILD / f"{name}.js"
        if not (Path(current_app.static_folder) / bundle).is_file():
            return None
        return url_for("static", filename=bundle.as_posix())

    def editor_messages() -> dict[str, str]:
        lang = g.get("lang", "ar")
        return {k: v for k, v in catalogue(lang).items()
                if k.startswith(("editor.", "criteria.", "status.", "role.")) or k == "list.separator"}

    def unread_notifications() -> int:
        from .. import db
        from ..services.notifications import unread_count

        user = load_user()
        return unread_count(db.session(), user) if user is not None else 0

    return {"current_user": load_user(), "csrf_token": csrf_token,
            "editor_bundle": editor_bundle, "editor_messages": editor_messages,
            "unread_notifications": unread_notifications}


@views.app_template_filter("rich_text_plain")
def _rich_text_plain(value: Any) -> str:
    return plain_text(value) or "—"


from . import account, approval, card_forms, inbox, pages, public_admin  # noqa: E402,F401  (routes register on import)
