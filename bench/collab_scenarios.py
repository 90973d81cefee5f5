"""Co-editing scenarios: how they are named on the command line and what they mean.

    NxV[p][r]        one card, N editors and V viewers                      10x0, 50x1000
    planCxE[p][r]    C cards with E editors on each (no viewers), one server process    plan40x8
    twoN[xV][p][r]   one card, its N editors (and V viewers) split between two Iltizam
                     processes over Redis and PostgreSQL                    two50

Flags: `p` presence on (every keystroke is followed by an awareness update carrying the
editor's cursor, as the browser editor sends); `r` typing into a rich-text field (paragraphs
of an XmlFragment, as Tiptap writes) instead of a plain text field. E.g. `50x0pr`: 50 editors
with presence, typing into rich text.

A `two…` scenario has no peer: it runs Iltizam as one process and as two processes on the
same PostgreSQL database, and compares the two.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PEERS = ("y-websocket", "hocuspocus")
ILTIZAM = "iltizam"
TWO_PROCESSES = "iltizam-2p"

_SHAPES = (
    (re.compile(r"(?P<editors>\d+)x(?P<viewers>\d+)(?P<flags>[pr]*)"), "card"),
    (re.compile(r"plan(?P<cards>\d+)x(?P<editors>\d+)(?P<flags>[pr]*)"), "plan"),
    (re.compile(r"two(?P<editors>\d+)(?:x(?P<viewers>\d+))?(?P<flags>[pr]*)"), "two"),
)


@dataclass(frozen=True)
class Scenario:
    name: str
    cards: int
    editors: int  # per card
    viewers: int  # per card
    presence: bool
    rich: bool
    processes: int  # Iltizam server processes the clients are split between

    def targets(self, requested: list[str]) -> list[str]:
        """The servers this scenario runs against, in order, of those `requested`."""
        if self.processes == 2:
            return [ILTIZAM, TWO_PROCESSES]
        return [t for t in requested if t in (ILTIZAM, *PEERS)]

    def describe(self) -> str:
        where = f"{self.cards} cards × {self.editors} editors" if self.cards > 1 else f"{self.editors} editors"
        parts = [where]
        if self.viewers:
            parts.append(f"{self.viewers * self.cards:,} viewers")
        if self.presence:
            parts.append("presence")
        if self.rich:
            parts.append("rich text")
        if self.processes > 1:
            parts.append(f"{self.processes} processes")
        return ", ".join(parts)


def parse(text: str) -> Scenario:
    """One scenario name (see the module docstring).

    Raises:
        ValueError: the name fits none of the shapes, or asks for an empty card.
    """
    name = text.strip()
    for pattern, shape in _SHAPES:
        match = pattern.fullmatch(name)
        if not match:
            continue
        groups = match.groupdict()
        flags = groups["flags"]
        if len(set(flags)) != len(flags):
            raise ValueError(f"scenario {name!r}: a flag is given twice")
        scenario = Scenario(name=name, cards=int(groups.get("cards") or 1), editors=int(groups["editors"]),
                            viewers=int(groups.get("viewers") or 0), presence="p" in flags, rich="r" in flags,
                            processes=2 if shape == "two" else 1)
        if scenario.editors < 2 or scenario.cards < 1:
            raise ValueError(f"scenario {name!r}: a card needs at least 2 editors to measure anything")
        return scenario
    raise ValueError(f"scenario {name!r} is none of NxV[p][r], planCxE[p][r], twoN[xV][p][r] "
                     "(e.g. 50x1000, 200x0pr, plan40x8, two50)")


def parse_list(text: str) -> list[Scenario]:
    return [parse(part) for part in text.split(",") if part.strip()]
