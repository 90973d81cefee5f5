"""The message catalogues (server/i18n): every key in every language with the same placeholders,
counted messages in every plural form their language has, and the form that agrees with the number.
"""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from server.i18n import catalogue, plural_categories, plural_category, translate

LANGS = ("ar", "fr", "en")
REPO = Path(__file__).resolve().parents[2]
COUNTS = (0, 1, 2, 3, 11, 100)
# What CLDR (through Babel) says each of those counts takes, spelt out so a change shows here.
CATEGORY = {
    "ar": {0: "zero", 1: "one", 2: "two", 3: "few", 11: "many", 100: "other"},
    "fr": {0: "one", 1: "one", 2: "other", 3: "other", 11: "other", 100: "other"},
    "en": {0: "other", 1: "one", 2: "other", 3: "other", 11: "other", 100: "other"},
}
COUNTED = sorted(key for key, entry in catalogue("en").items() if isinstance(entry, dict))
# Counted messages that show what they count rather than the count ("commitments 3, 5").
LISTING = {"policy_page.approved_now"}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def texts(entry: str | dict[str, str]) -> list[str]:
    return list(entry.values()) if isinstance(entry, dict) else [entry]


def sample(entry: str | dict[str, str]) -> dict[str, str]:
    """A value for every placeholder of `entry` but the count, named after it."""
    return {name: f"<{name}>" for text in texts(entry) for name in fields(text) - {"n"}}


def single_number_categories(lang: str) -> set[str]:
    """The categories that hold one number only (Arabic zero, one and two; English one): their
    form may say the number in words ("تعديلان") rather than show it."""
    seen: dict[str, set[int]] = {}
    for n in range(0, 1001):
        seen.setdefault(plural_category(lang, n), set()).add(n)
    return {category for category, numbers in seen.items() if len(numbers) == 1}


def test_babel_gives_the_cldr_categories():
    assert plural_categories("ar") == {"zero", "one", "two", "few", "many", "other"}
    assert plural_categories("fr") == {"one", "many", "other"}
    assert plural_categories("en") == {"one", "other"}
    for lang, expected in CATEGORY.items():
        assert {n: plural_category(lang, n) for n in COUNTS} == expected
    assert plural_category("fr", 1_000_000) == "many"


def test_every_key_is_in_every_language():
    keys = {lang: set(catalogue(lang)) for lang in LANGS}
    for lang in LANGS:
        assert keys[lang] - keys["en"] == set(), f"{lang} has keys English has not"
        assert keys["en"] - keys[lang] == set(), f"{lang} lacks keys"
        empty = [key for key, entry in catalogue(lang).items() if not all(t.strip() for t in texts(entry))]
        assert empty == [], f"{lang}: empty messages"


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_message_has_the_placeholders_of_its_english(lang):
    for key, english in catalogue("en").items():
        entry = catalogue(lang)[key]
        assert isinstance(entry, dict) == isinstance(english, dict), f"{key}: counted in one language only"
        if isinstance(entry, dict):
            continue  # below
        assert fields(entry) == fields(english), key


@pytest.mark.parametrize("lang", LANGS)
def test_a_counted_message_has_every_form_of_its_language(lang):
    assert COUNTED, "no counted message found"
    words_for_number = single_number_categories(lang)
    for key in COUNTED:
        entry = catalogue(lang)[key]
        assert set(entry) == plural_categories(lang), f"{lang} {key}: forms {sorted(entry)}"
        others = fields(catalogue("en")[key]["other"]) - {"n"}
        for category, text in entry.items():
            assert fields(text) - {"n"} == others, f"{lang} {key} {category}: placeholders"
            if category not in words_for_number and key not in LISTING:
                assert "n" in fields(text), f"{lang} {key} {category} does not show its count"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_message_counts_by_hand(lang):
    """'thread(s)', 'non lue(s)': a counted message is a plural entry instead."""
    by_hand = [key for key, entry in catalogue(lang).items() for text in texts(entry)
               if re.search(r"\w\((s|e|es)\)", text)]
    assert by_hand == []


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", COUNTED)
def test_a_counted_message_agrees_with_its_number(key, lang):
    entry = catalogue(lang)[key]
    params = sample(entry)
    for n in COUNTS:
        expected = entry[CATEGORY[lang][n]].format(n=n, **params)
        assert translate(key, lang, n=n, **params) == expected, (key, lang, n)


@pytest.mark.parametrize("n, text", [
    (0, "لا تعليقات مفتوحة على هذا الحقل"),
    (1, "تعليق واحد مفتوح على هذا الحقل"),
    (2, "تعليقان مفتوحان على هذا الحقل"),
    (3, "3 تعليقات مفتوحة على هذا الحقل"),
    (11, "11 تعليقًا مفتوحًا على هذا الحقل"),
    (100, "100 تعليق مفتوح على هذا الحقل"),
])
def test_open_comments_read_right_in_arabic(n, text):
    assert translate("editor.review.field_count", "ar", n=n) == text


@pytest.mark.parametrize("n, text", [
    (0, "جار إعداد الوثيقة (لا التزامات)…"),
    (1, "جار إعداد الوثيقة (التزام واحد)…"),
    (2, "جار إعداد الوثيقة (التزامان)…"),
    (3, "جار إعداد الوثيقة (3 التزامات)…"),
    (11, "جار إعداد الوثيقة (11 التزامًا)…"),
    (100, "جار إعداد الوثيقة (100 التزام)…"),
])
def test_commitments_being_exported_read_right_in_arabic(n, text):
    assert translate("export.preparing", "ar", n=n) == text


def test_a_count_is_written_as_the_language_writes_numbers():
    assert translate("export.preparing", "fr", n=12500) == "Préparation du document (12\u202f500 engagements)…"
    assert translate("export.preparing", "en", n=12500) == "Preparing the document (12,500 commitments)…"
    arabic = translate("export.preparing", "ar", n=12500)
    assert arabic == "جار إعداد الوثيقة (12,500 التزام)…"  # Western digits, as the whole interface writes them
    assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", arabic)
    assert translate("export.preparing", "fr", n=2_000_000) == "Préparation du document (2\u202f000\u202f000 d'engagements)…"


def test_a_counted_message_needs_its_count():
    with pytest.raises(TypeError, match="counted message"):
        translate("export.preparing", "ar")


def call_sites() -> list[tuple[str, int, str]]:
    sources = [*(REPO / "server").rglob("*.py"), *(REPO / "server" / "templates").rglob("*.html"),
               *(REPO / "editor" / "src").rglob("*.js")]
    return [(str(path.relative_to(REPO)), number, line) for path in sources
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)]


def test_every_call_of_a_counted_message_passes_its_count():
    keys = "|".join(map(re.escape, COUNTED))
    calls = re.compile(r"""\b(translate|t|keyed|_error)\(.*?['"](""" + keys + r""")['"](.*)""")
    found, missing = set(), []
    for path, number, line in call_sites():
        for match in calls.finditer(line):
            found.add(match.group(2))
            if not re.search(r"\bn\s*[=:,}]", match.group(3)):
                missing.append(f"{path}:{number}: {line.strip()}")
    assert missing == []
    assert len(found) > len(COUNTED) // 2  # the pattern does find the calls


# Words in Latin letters an Arabic message may hold: formats, keys, date patterns, an API field.
ARABIC_KEEPS = {"Word", "docx", "doc", "CSV", "JSON", "Markdown", "Atom", "UTC", "Ctrl", "Enter", "Escape",
                "YYYY", "MM", "DD", "DDTHH", "occurrence"}


def test_arabic_messages_hold_no_english():
    found = {}
    for key, entry in catalogue("ar").items():
        for text in texts(entry):
            words = set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", "", text))) - ARABIC_KEEPS
            if words:
                found[key] = sorted(words)
    assert found == {}
