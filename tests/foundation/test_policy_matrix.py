"""Every role against every action, allowed and refused, on a draft and on a card in review.

The expected table is written out here by hand, from the process (step م2.4), and not derived
from server.policy, so a change to the policy's table has to be a deliberate change here too.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server import db, policy
from server.models import Card, Plan, User

ROLES = ["coordinator", "steering", "lead", "co_lead", "contributor", "reviewer", "approver", "viewer", "none"]

# action: the roles that may do it ("*" = every role except none)
ON_DRAFT = {
    "plan.view": "*",
    "plan.manage": "coordinator",
    "plan.manage_roles": "coordinator",
    "plan.export": "coordinator steering",
    "plan.audit": "coordinator steering",
    "card.create": "coordinator",
    "card.view": "*",
    "card.export": "*",
    "card.edit": "coordinator lead co_lead contributor",
    "card.comment": "coordinator steering lead co_lead contributor reviewer approver",
    "card.manage_roles": "coordinator lead co_lead",
    "card.edit_metadata": "coordinator",
    "card.submit": "lead co_lead",
    "card.request_changes": "",
    "card.publish": "",
    "card.signoff": "",
    # Marking a thread as blocking approval: the review gate's own people.
    "card.block": "steering approver",
    "card.attest": "coordinator lead co_lead",
    "card.save_version": "coordinator lead co_lead contributor",
    "card.restore": "coordinator lead co_lead",
    # The public side: the coordinator runs it, steering moderates too, leads answer on their card.
    "plan.consult": "coordinator",
    "plan.moderate": "coordinator steering",
    "plan.answer": "coordinator",
    "plan.transition": "coordinator",
    "card.unpublish": "coordinator",
    "card.answer": "coordinator lead co_lead",
}
IN_REVIEW = {
    **ON_DRAFT,
    "card.edit": "",
    "card.edit_metadata": "",
    "card.submit": "",
    "card.request_changes": "coordinator steering approver",
    # Whether a lead's sign-off counts is the plan's approval policy's to say (test_approval.py).
    "card.signoff": "steering lead co_lead approver",
    "card.restore": "",
}
# Once approved, a card's threads are history: nobody comments any more.
APPROVED = {
    **IN_REVIEW,
    "card.comment": "",
    "card.signoff": "",
    "card.block": "",
    "card.attest": "",
    "card.publish": "coordinator",
}
# Published: reopened the same way as an approved card (the publication stays, frozen).
PUBLISHED = {**APPROVED, "card.publish": ""}


def expected(table: dict[str, str], action: str) -> set[str]:
    spec = table[action]
    return set(ROLES) - {"none"} if spec == "*" else set(spec.split())


def test_the_table_covers_every_action():
    assert set(ON_DRAFT) == set(policy.ACTIONS)


@pytest.fixture
def world(app, factory):
    admin = factory.user(admin=True)
    plan_id = factory.plan(admin)
    card_id = factory.card(plan_id, admin)
    other_card = factory.card(plan_id, admin)
    users = {}
    for role in ROLES:
        users[role] = factory.user()
        if role in ("coordinator", "steering"):
            factory.grant(admin, users[role], role, plan_id)
        elif role != "none":
            factory.grant(admin, users[role], role, plan_id, card_id)
    return {"plan": plan_id, "card": card_id, "other_card": other_card, "users": users}


@pytest.mark.parametrize("status,table", [("draft", ON_DRAFT), ("in_review", IN_REVIEW), ("approved", APPROVED),
                                          ("published", PUBLISHED)])
def test_every_role_against_every_action(app, world, status, table):
    with app.app_context():
        session = db.session()
        card = session.get(Card, world["card"])
        card.status = status
        session.commit()
        plan = session.get(Plan, world["plan"])
        wrong = []
        for role in ROLES:
            user = session.get(User, world["users"][role])
            for action in policy.ACTIONS:
                obj = plan if action.startswith("plan.") or action == "card.create" else card
                got = policy.allowed(session, user, action, obj)
                if got != (role in expected(table, action)):
                    wrong.append(f"{role} {action}: got {got}")
        assert wrong == []


def test_a_card_role_does_not_reach_another_card(app, world):
    with app.app_context():
        session = db.session()
        other = session.get(Card, world["other_card"])
        for role in ("lead", "co_lead", "contributor", "reviewer", "approver", "viewer"):
            user = session.get(User, world["users"][role])
            assert not policy.allowed(session, user, "card.view", other), role
            assert not policy.allowed(session, user, "card.edit", other), role
        coordinator = session.get(User, world["users"]["coordinator"])
        assert policy.allowed(session, coordinator, "card.edit", other)


def test_anonymous_is_refused_and_unknown_actions_fail_loudly(app, world):
    with app.app_context():
        session = db.session()
        card = session.get(Card, world["card"])
        decision = policy.decide(session, None, "card.view", card)
        assert not decision and decision.reason == "policy.login_required"
        with pytest.raises(ValueError, match="Unknown action"):
            policy.decide(session, None, "card.delete_everything", card)


# Who may hand out (and take away) each role to someone else: role -> the roles that may.
# Admins may always; nobody may give a role to themselves.
GRANTERS = {
    "coordinator": "coordinator",
    "steering": "coordinator",
    "lead": "coordinator",
    "co_lead": "coordinator",
    "reviewer": "coordinator",
    "approver": "coordinator",
    "contributor": "coordinator lead co_lead",
    "viewer": "coordinator lead co_lead",
}


@pytest.mark.parametrize("removing", [False, True], ids=["grant", "remove"])
def test_who_may_grant_and_remove_each_role(app, world, removing):
    with app.app_context():
        session = db.session()
        card, plan = session.get(Card, world["card"]), session.get(Plan, world["plan"])
        someone = session.get(User, world["users"]["none"])
        wrong = []
        for actor_role in ROLES:
            actor = session.get(User, world["users"][actor_role])
            for role, granters in GRANTERS.items():
                on_card = role not in ("coordinator", "steering")
                got = policy.decide_assignment(session, actor, role, plan, card if on_card else None, someone,
                                               removing=removing).allowed
                if got != (actor_role in granters.split()):
                    wrong.append(f"{actor_role} -> {role}: got {got}")
        assert wrong == []


def test_nobody_grants_themselves_a_role_not_even_an_admin(app, world):
    with app.app_context():
        session = db.session()
        card, plan = session.get(Card, world["card"]), session.get(Plan, world["plan"])
        admin = session.scalars(select(User).where(User.is_admin.is_(True))).first()
        for who in [*(session.get(User, world["users"][r]) for r in ROLES), admin]:
            for role in GRANTERS:
                on_card = role not in ("coordinator", "steering")
                decision = policy.decide_assignment(session, who, role, plan, card if on_card else None, who)
                assert not decision and decision.reason == "policy.self_grant", (who.email, role)
