"""Organisations (ministries, associations, companies, international bodies)."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from .. import db
from ..models import Organisation
from ..services import accounts
from . import api, serialize
from .helpers import body, lookup, user


@api.get("/organisations")
def list_organisations():
    orgs = db.session().scalars(select(Organisation).order_by(Organisation.id))
    return jsonify([serialize.organisation(o) for o in orgs])


@api.get("/organisations/<int:org_id>")
def get_organisation(org_id: int):
    return jsonify(serialize.organisation(lookup(Organisation, org_id, "organisation")))


@api.post("/organisations")
def create_organisation():
    org = accounts.create_organisation(db.session(), user(), body())
    db.session().commit()
    return jsonify(serialize.organisation(org)), 201
