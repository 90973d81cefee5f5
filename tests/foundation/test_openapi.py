"""The OpenAPI description and the real routes name exactly the same operations."""
from __future__ import annotations

import re

import pytest


def real_operations(app) -> set[tuple[str, str]]:
    ops = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            ops.add((method.lower(), path))
    return ops


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_route_is_documented_and_every_documented_route_exists(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(m, p) for p, item in spec["paths"].items() for m in item if m != "parameters"}
    real = real_operations(app)
    assert real - documented == set(), "routes missing from openapi.json"
    assert documented - real == set(), "documented routes the app does not have"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_reference_resolves_and_path_parameters_are_declared(client):
    spec = client.get("/api/v1/openapi.json").json
    text = str(spec)
    for ref in set(re.findall(r"#/components/(\w+)/(\w+)", text)):
        assert ref[1] in spec["components"][ref[0]], ref
    for path, item in spec["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, op in item.items():
            if method == "parameters":
                continue
            declared = {p["name"] for p in item.get("parameters", []) + op.get("parameters", []) if p["in"] == "path"}
            assert names == declared, (method, path)
