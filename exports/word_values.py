"""Turning text found in a Word document into template values: options, months, dates.

People write "mars 2024", "03/2024" or "٢٠٢٤-٠٣"; the card stores "2024-03". Anything that
cannot be read is reported rather than guessed.
"""
from __future__ import annotations

import re
import unicodedata

from .labels import normalize

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Month names people use in Morocco: French, English, and both Arabic series.
_MONTH_NAMES = {
    1: ("janvier", "january", "jan", "janv", "يناير", "كانون الثاني"),
    2: ("fevrier", "february", "feb", "fevr", "فبراير", "شباط"),
    3: ("mars", "march", "mar", "مارس", "آذار", "اذار"),
    4: ("avril", "april", "apr", "avr", "أبريل", "ابريل", "نيسان"),
    5: ("mai", "may", "ماي", "مايو", "أيار", "ايار"),
    6: ("juin", "june", "jun", "يونيو", "يونيه", "حزيران"),
    7: ("juillet", "july", "jul", "juil", "يوليوز", "يوليو", "تموز"),
    8: ("aout", "august", "aug", "غشت", "أغسطس", "اغسطس", "آب", "اب"),
    9: ("septembre", "september", "sep", "sept", "شتنبر", "سبتمبر", "أيلول", "ايلول"),
    10: ("octobre", "october", "oct", "أكتوبر", "اكتوبر", "تشرين الأول", "تشرين الاول"),
    11: ("novembre", "november", "nov", "نونبر", "نوفمبر", "تشرين الثاني"),
    12: ("decembre", "december", "dec", "دجنبر", "ديسمبر", "كانون الأول", "كانون الاول"),
}
_NAME_TO_MONTH = {normalize(name): number for number, names in _MONTH_NAMES.items() for name in names}
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*(\d{1,2}))?$")
_MONTH_YEAR = re.compile(r"^(?:(\d{1,2})\s*[-/.]\s*)?(\d{1,2})\s*[-/.]\s*(\d{4})$")
_NAMED = re.compile(r"^(?:(\d{1,2})\s+)?(\D+?)\s+(\d{4})$")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    return " ".join(text.replace("\u200e", "").replace("\u200f", "").split())


def _ymd(text: str) -> tuple[int, int, int | None] | None:
    text = _clean(text)
    match = _YEAR_MONTH.match(text)
    if match:
        day = match.group(3)
        return int(match.group(1)), int(match.group(2)), int(day) if day else None
    match = _MONTH_YEAR.match(text)
    if match:
        day = match.group(1)
        return int(match.group(3)), int(match.group(2)), int(day) if day else None
    match = _NAMED.match(text)
    if match:
        month = _NAME_TO_MONTH.get(normalize(match.group(2)))
        if month:
            day = match.group(1)
            return int(match.group(3)), month, int(day) if day else None
    return None


def parse_month(text: str) -> str | None:
    """"YYYY-MM" for a month written in any of the usual ways, None if it is not one."""
    found = _ymd(text)
    if found is None or not 1 <= found[1] <= 12:
        return None
    return f"{found[0]:04d}-{found[1]:02d}"


def parse_date(text: str) -> str | None:
    """"YYYY-MM-DD" for a full date written in any of the usual ways, None if it is not one."""
    found = _ymd(text)
    if found is None or found[2] is None or not 1 <= found[1] <= 12 or not 1 <= found[2] <= 31:
        return None
    return f"{found[0]:04d}-{found[1]:02d}-{found[2]:02d}"
