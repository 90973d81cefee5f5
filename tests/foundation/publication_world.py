"""An approval world whose card can be taken to approved and published, and an anonymous visitor."""
from __future__ import annotations

from datetime import date, timedelta

from tests.foundation.approval_world import As
from tests.foundation.test_approval import attest_all, sign

APPROVERS = ("lead", "steering_gov", "co_lead", "steering_cso")


def approve(as_: As, card: int) -> None:
    """Take `card` from draft to approved through the real workflow."""
    attest_all(as_, card)
    submitted = as_("lead").post(f"/cards/{card}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    for name in APPROVERS:
        signed = sign(as_, name, card)
        assert signed.status_code == 201, signed.get_json()
    assert as_("viewer").get(f"/cards/{card}").get_json()["status"] == "approved"


def publish(as_: As, card: int):
    return as_("coordinator").post(f"/cards/{card}/publish")


def open_consultation(as_: As, plan: int, days: int = 30):
    closes = (date.today() + timedelta(days=days)).isoformat()
    return as_("coordinator").post(f"/plans/{plan}/consultation", {"action": "open", "closes_at": closes})


def contribution(**extra) -> dict:
    return {"name": "سعاد", "organisation": "جمعية الشفافية", "email": "souad@example.org",
            "body": "نقترح نشر **المعطيات** كل ثلاثة أشهر.", "consent": True, **extra}
