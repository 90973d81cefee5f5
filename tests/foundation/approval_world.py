"""The people of an approval test: a complete card (the demo's first) with its lead, co-lead and
members, the plan's coordinator and steering members from each side, and an outsider."""
from __future__ import annotations

import copy

from server import demo

from tests.conftest import email_of

FIELDS = copy.deepcopy(demo.load_data()["cards"][0]["fields"])
ATTESTATIONS = ("baseline_data", "verifiable", "open_government_lens")


def build(factory, languages: dict[str, str] | None = None) -> dict:
    """Ids by name; `languages` gives some people an interface language (default Arabic)."""
    languages = languages or {}
    admin = factory.user(admin=True)
    gov, cso = factory.org("government"), factory.org("civil_society")
    plan = factory.plan(admin)
    axis = factory.axis(plan, admin)
    card = factory.card(plan, admin, fields=FIELDS, axis_id=axis, lead_org_id=gov, co_lead_org_id=cso)
    other = factory.card(plan, admin)
    people = {"admin": admin}
    for role, org in (("lead", gov), ("co_lead", cso), ("contributor", cso), ("reviewer", cso),
                      ("approver", cso), ("viewer", gov)):
        people[role] = factory.user(org_id=org, language=languages.get(role, "ar"))
        factory.grant(admin, people[role], role, plan, card)
    for name, role, org in (("coordinator", "coordinator", gov), ("steering_gov", "steering", gov),
                            ("steering_cso", "steering", cso)):
        people[name] = factory.user(org_id=org, language=languages.get(name, "ar"))
        factory.grant(admin, people[name], role, plan)
    people["elsewhere"] = factory.user(org_id=gov)
    factory.grant(admin, people["elsewhere"], "lead", plan, other)
    return {"plan": plan, "card": card, "other": other, **people}


class As:
    """Calls the API as one of the world's people (signed in with a cookie, CSRF token sent)."""

    def __init__(self, app, client, auth, world) -> None:
        self.app, self.client, self.auth, self.world = app, client, auth, world
        self.who = None

    def __call__(self, name: str) -> As:
        if name != self.who:
            self.auth.login(email_of(self.app, self.world[name]))
            self.who = name
        return self

    def call(self, method: str, url: str, data=None):
        return self.client.open(f"/api/v1{url}", method=method, json=data, headers=self.auth.headers())

    def get(self, url):
        return self.call("GET", url)

    def post(self, url, data=None):
        return self.call("POST", url, data if data is not None else {})
