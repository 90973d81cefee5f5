"""Heavy work in a child process: stopped at its time and memory limits, same answers, and the
server keeps serving other requests while a Word import is being read."""
from __future__ import annotations

import threading

import pytest
import requests

import schemas
from exports import WordImportError, card_docx, import_docx
from server import db
from server.auth.tokens import create_token
from server.models import User
from server.services import offload
from server_process import ServerProcess, wait_until

CONTENT = {"template": {"id": "ogp-card", "version": 1}, "card": {"number": "4"},
           "fields": {"title": "Budget citoyen", "summary": "Publier le budget.",
                      "milestones": [{"id": "m1", "activity": "Guide", "deliverable": "Guide publié",
                                      "start": "2024-03", "end": "2024-09", "responsible": "MEF"}],
                      "problem": [{"type": "paragraph", "content": [{"type": "text", "text": "Peu connu."}]}]}}


def _without_row_ids(values: dict) -> dict:
    return {k: [{c: v for c, v in row.items() if c != "id"} for row in value]
            if isinstance(value, list) and value and "id" in value[0] else value for k, value in values.items()}


def test_a_job_over_its_time_limit_is_stopped_with_a_clear_error():
    with pytest.raises(offload.OffloadError) as info:
        offload.run("server.services.offload:_sleep_for_tests", {"seconds": 600}, timeout=1)
    assert info.value.code == "timeout" and "stopped" in info.value.message


def test_a_job_over_its_memory_cap_is_stopped():
    with pytest.raises(offload.OffloadError) as info:
        offload.run("server.services.offload:_allocate_for_tests", {"megabytes": 4096}, memory=256 * 1024 * 1024)
    assert info.value.code == "memory"


def test_a_normal_parse_gives_the_same_result_as_in_process():
    template = schemas.load_template()
    data = card_docx(template, CONTENT, "fr")
    here = import_docx(template, data)
    there = offload.run("exports.word_import:import_docx", {"template": template}, data=data)
    assert _without_row_ids(there["values"]) == _without_row_ids(here.values)
    assert there["report"] == here.report


def test_the_functions_error_comes_back_by_name():
    with pytest.raises(offload.ChildError) as info:
        offload.run("exports.word_import:import_docx", {"template": schemas.load_template()}, data=b"not a docx")
    assert info.value.kind == WordImportError.__name__ and info.value.attrs["code"] == "not_docx"


def test_only_listed_functions_run():
    with pytest.raises(ValueError, match="ALLOWED"):
        offload.run("os:system", {"command": "true"})


def test_other_requests_are_served_while_an_import_is_read(app, factory, database_url, tmp_path):
    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, admin))
        session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    hold = tmp_path / "hold"
    hold.mkdir()
    server = ServerProcess(database_url, tmp_path, **{offload.HOLD_ENV: hold})
    answers: dict[str, requests.Response] = {}
    try:
        data = card_docx(schemas.load_template(), CONTENT, "fr")

        def upload() -> None:
            answers["import"] = requests.post(f"{server.url}/api/v1/plans/{plan}/import", headers=headers,
                                              files={"file": ("card.docx", data)}, timeout=120)

        uploader = threading.Thread(target=upload)
        uploader.start()
        # The worker is now reading the file and will not finish before "release" exists.
        wait_until(lambda: (hold / "started").exists(), timeout=60, message="the import worker to start")
        me = requests.get(f"{server.url}/api/v1/me", headers=headers, timeout=60)
        assert me.status_code == 200
        assert "import" not in answers and uploader.is_alive()
        (hold / "release").write_text("go")
        uploader.join(120)
        assert answers["import"].status_code == 201, answers["import"].text
        assert answers["import"].json()["card"]["id"]
    finally:
        (hold / "release").write_text("go")
        server.stop()


def test_jobs_beyond_the_worker_slots_wait_then_are_answered_busy(monkeypatch):
    import threading

    from server.services import offload

    monkeypatch.setattr(offload, "_slots", threading.BoundedSemaphore(1))
    monkeypatch.setattr(offload, "QUEUE_SECONDS", 0.2)
    assert offload._slots.acquire()  # the one slot is taken by a job still running
    try:
        with pytest.raises(offload.OffloadError) as refused:
            offload.run("server.services.offload:_sleep_for_tests", {"seconds": 0})
        assert refused.value.code == "busy"
    finally:
        offload._slots.release()
    assert offload.run("server.services.offload:_sleep_for_tests", {"seconds": 0}) == "slept"
