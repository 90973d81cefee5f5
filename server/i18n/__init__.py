"""Interface language: message catalogues (JSON, one per language) and the current choice.

Arabic is the default. A signed-in user's choice is kept on their account; before sign-in it
is kept in the session.

A catalogue entry is a string, or — for a counted message — an object keyed by CLDR plural
category ("zero", "one", "two", "few", "many", "other"), with the count as `{n}`. Babel says
which category a number takes in a language; the editor reads the same entries and asks
`Intl.PluralRules` (editor/src/i18n.js). The count is written with the language's separators
in Western digits, as everywhere else in the interface.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import Locale
from babel.numbers import format_decimal
from flask import g, session

from ..models import LANGUAGES

if TYPE_CHECKING:
    from flask import Flask

HERE = Path(__file__).parent
DEFAULT = "ar"
DIRECTION = {"ar": "rtl", "fr": "ltr", "en": "ltr"}
NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}
DIGITS = "latn"  # 0-9 in every language, Arabic included, as the rest of the interface writes numbers

Entry = str | dict[str, str]


@cache
def catalogue(lang: str) -> dict[str, Entry]:
    with (HERE / f"{lang}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_category(lang: str, n: float) -> str:
    """The CLDR plural category of the number `n` in `lang` (Arabic 11 → "many")."""
    return _locale(lang).plural_form(n)


def plural_categories(lang: str) -> frozenset[str]:
    """Every plural category `lang` has, "other" included."""
    return _locale(lang).plural_form.tags | {"other"}


def format_count(n: float, lang: str) -> str:
    """`n` as `lang` writes a count (1 234 in French, 1,234 in English and Arabic)."""
    return format_decimal(n, locale=_locale(lang), numbering_system=DIGITS)


def current_language() -> str:
    from ..auth.current import load_user

    user = load_user()
    if user is not None and user.language in LANGUAGES:
        return user.language
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT


def translate(key: str, lang: str | None = None, **params: Any) -> str:
    """The message `key` in `lang` (default: the current language), falling back to English.

    A counted message takes its count as `n` and picks the form that agrees with it.
    A missing key shows as the key itself so it is noticed, never as an empty label.
    """
    lang = lang or g.get("lang") or current_language()
    entry: Entry | None = None
    for source in (lang, "en"):
        entry = catalogue(source).get(key)
        if entry:
            break
    if not entry:
        return key
    if isinstance(entry, dict):
        if "n" not in params:
            raise TypeError(f"{key!r} is a counted message: pass its count as n=")
        n = params["n"]
        entry = entry.get(plural_category(source, n)) or entry["other"]
        params = {**params, "n": format_count(n, source)}
    return entry.format(**params) if params else entry


def init_app(app: Flask) -> None:
    @app.before_request
    def _pick_language() -> None:
        g.lang = current_language()

    @app.context_processor
    def _inject() -> dict[str, Any]:
        lang = g.get("lang", DEFAULT)
        return {"t": translate, "lang": lang, "dir": DIRECTION[lang], "language_names": NAMES}
