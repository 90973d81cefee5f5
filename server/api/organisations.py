"""Organisations (ministries, associations, companies, international bodies)."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from .. import db, policy
from ..i18n import translate
from ..models import ORGANISATION_KINDS, Organisation
from ..services import accounts
from . import api, serialize
from .helpers import ApiError, body, lookup, user


@api.get("/organisations")
def list_organisations():
    orgs = db.session().scalars(select(Organisation).order_by(Organisation.id))
    return jsonify([serialize.organisation(o) for o in orgs])


@api.get("/organisations/<int:org_id>")
def get_organisation(org_id: int):
    return jsonify(serialize.organisation(lookup(Organisation, org_id, "organisation")))


@api.post("/organisations")
def create_organisation():
    if not policy.can_manage_organisations(db.session(), user()):
        raise ApiError(403, "forbidden", "Only an administrator or a plan coordinator can add organisations.")
    data = body()
    if data.get("kind") not in ORGANISATION_KINDS:
        raise ApiError(422, "invalid", f"kind must be one of {', '.join(ORGANISATION_KINDS)}", field="kind")
    for key in ("name_ar", "name_fr"):
        if not isinstance(data.get(key), str) or not data[key].strip() or len(data[key]) > 300:
            raise ApiError(422, "invalid", f"{key} is required (at most 300 characters)", field=key)
        problem = accounts.name_problem(data[key])
        if problem:
            raise ApiError(422, "invalid", translate(problem, "en"), field=key)
    org = Organisation(kind=data["kind"], name_ar=data["name_ar"].strip(), name_fr=data["name_fr"].strip())
    db.session().add(org)
    db.session().commit()
    return jsonify(serialize.organisation(org)), 201
