"""A plan's approval policy: which parties must sign a card off, and whether they have.

The policy is data on the plan, `{"parties": [{"role", "kind", "count"}, …]}`: "one approver
from civil society" is `{"role": "approver", "kind": "civil_society", "count": 1}`; "two
steering members, one from each side" is two parties, one per kind. `evaluate` matches current
approvals to parties, each approval counting once, most specific party first (a civil-society
approver fills "approver from civil society" before "any approver").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable

from ..models import ORGANISATION_KINDS
from .errors import Invalid

if TYPE_CHECKING:
    from ..models import Plan, Signoff

SIGNING_ROLES = ("lead", "co_lead", "approver", "steering")
MAX_PARTIES = 12
MAX_COUNT = 10
# The lead ministry, the civil-society co-lead, and the steering committee's two sides.
DEFAULT_POLICY: dict[str, Any] = {"parties": [
    {"role": "lead", "kind": None, "count": 1},
    {"role": "co_lead", "kind": None, "count": 1},
    {"role": "steering", "kind": "government", "count": 1},
    {"role": "steering", "kind": "civil_society", "count": 1},
]}


@dataclass(frozen=True)
class Party:
    role: str
    kind: str | None
    count: int

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role, "kind": self.kind, "count": self.count}

    def fits(self, signoff: Signoff) -> bool:
        return signoff.role == self.role and (self.kind is None or signoff.organisation_kind == self.kind)


@dataclass
class Requirement:
    party: Party
    signoffs: list[Signoff] = field(default_factory=list)  # the current approvals that count for it

    @property
    def met(self) -> bool:
        return len(self.signoffs) >= self.party.count

    def as_json(self) -> dict[str, Any]:
        return {**self.party.as_json(), "met": self.met, "obtained": len(self.signoffs),
                "signoff_ids": [s.id for s in self.signoffs]}


def check(data: Any) -> dict[str, Any]:
    """The policy `data` asks for, normalised, or Invalid naming the wrong part."""
    parties = data.get("parties") if isinstance(data, dict) else None
    if not isinstance(parties, list) or not parties:
        raise Invalid('Send {"parties": [{"role": ROLE, "kind": KIND or null, "count": N}, …]} '
                      "with at least one party.", field="parties")
    if len(parties) > MAX_PARTIES:
        raise Invalid(f"A policy has at most {MAX_PARTIES} parties.", field="parties")
    seen: set[tuple[str, str | None]] = set()
    out = []
    for i, party in enumerate(parties):
        where = f"parties[{i}]"
        if not isinstance(party, dict) or set(party) - {"role", "kind", "count"}:
            raise Invalid("Each party is {\"role\", \"kind\", \"count\"}.", field=where)
        role, kind, count = party.get("role"), party.get("kind"), party.get("count", 1)
        if role not in SIGNING_ROLES:
            raise Invalid(f"role must be one of {', '.join(SIGNING_ROLES)}.", field=f"{where}.role")
        if kind is not None and kind not in ORGANISATION_KINDS:
            raise Invalid(f"kind must be null or one of {', '.join(ORGANISATION_KINDS)}.", field=f"{where}.kind")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
            raise Invalid(f"count must be a whole number from 1 to {MAX_COUNT}.", field=f"{where}.count")
        if (role, kind) in seen:
            raise Invalid("Each role and kind appears once; raise its count instead.", field=where)
        seen.add((role, kind))
        out.append({"role": role, "kind": kind, "count": count})
    return {"parties": out}


def parties(plan: Plan) -> list[Party]:
    policy = plan.approval_policy if isinstance(plan.approval_policy, dict) else {}
    found = policy.get("parties")
    if not isinstance(found, list):
        found = DEFAULT_POLICY["parties"]
    return [Party(p["role"], p.get("kind"), int(p.get("count", 1))) for p in found]


def required_roles(plan: Plan) -> set[str]:
    return {p.role for p in parties(plan)}


def evaluate(plan: Plan, current_approvals: Iterable[Signoff]) -> list[Requirement]:
    """The plan's requirements, in the policy's order, each with the approvals counting for it.

    `current_approvals`: active approve sign-offs on the card's current content.
    """
    requirements = [Requirement(p) for p in parties(plan)]
    left = sorted(current_approvals, key=lambda s: s.id)
    # Specific parties first, so a general one does not take the approval a specific one needs.
    for req in sorted(requirements, key=lambda r: r.party.kind is None):
        for signoff in list(left):
            if req.met:
                break
            if req.party.fits(signoff):
                req.signoffs.append(signoff)
                left.remove(signoff)
    return requirements


def all_met(requirements: list[Requirement]) -> bool:
    return all(r.met for r in requirements)


def fillable(plan: Plan, role: str, kind: str | None) -> bool:
    """Whether a sign-off for `role` by an organisation of `kind` can count for any party."""
    return any(p.role == role and (p.kind is None or p.kind == kind) for p in parties(plan))
