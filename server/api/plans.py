"""Plans and axes."""
from __future__ import annotations

from flask import jsonify

from .. import db, policy
from ..models import Plan
from ..services import plans as plan_service
from . import api, serialize
from .helpers import ApiError, body, lookup, require, user


@api.get("/plans")
def list_plans():
    return jsonify([serialize.plan(p) for p in plan_service.visible_plans(db.session(), user())])


@api.post("/plans")
def create_plan():
    if not policy.can_create_plan(user()):
        raise ApiError(403, "forbidden", "Only an administrator can create a plan.")
    plan = plan_service.create_plan(db.session(), user(), body())
    db.session().commit()
    return jsonify(serialize.plan(plan)), 201


@api.get("/plans/<int:plan_id>")
def get_plan(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    return jsonify(serialize.plan(plan))


@api.patch("/plans/<int:plan_id>")
def update_plan(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.manage", plan)
    plan_service.update_plan(db.session(), user(), plan, body())
    db.session().commit()
    return jsonify(serialize.plan(plan))


@api.get("/plans/<int:plan_id>/axes")
def list_axes(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.view", plan)
    return jsonify([serialize.axis(a) for a in plan.axes])


@api.post("/plans/<int:plan_id>/axes")
def create_axis(plan_id: int):
    plan = lookup(Plan, plan_id, "plan")
    require("plan.manage", plan)
    axis = plan_service.add_axis(db.session(), user(), plan, body())
    db.session().commit()
    return jsonify(serialize.axis(axis)), 201
