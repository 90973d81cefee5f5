"""The review copy (comments=1): comment threads as native Word comments, read back and rendered.

The card and its threads (exports_support.review_card, review_threads) are built by hand, in
the API's thread shape, in Arabic and French: ranges inside a paragraph and across two, in a table cell, a whole row, a whole field,
the whole card, a resolved thread with replies, a deleted comment, stale offsets, threads whose
text is gone, and hostile comment bodies. The Council copy is checked to hold no comment at all.
"""
from __future__ import annotations

import copy
import io
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from exports_support import (
    ACROSS,
    HOSTILE,
    IN_PARAGRAPH,
    REVIEW_FIELDS,
    make_plan,
    pdf_text,
    render_pdfs,
    review_card,
    review_threads,
)
from lxml import etree

import schemas
from exports import card_docx, plan_docx
from exports.bidi import BIDI_CONTROLS
from exports.comment_text import plain_text
from exports.docx_comments import initials

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_CONTROLS = {ord(c): None for c in BIDI_CONTROLS}


# -- reading a .docx back -------------------------------------------------------------------------

def _xml(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def clean(text: str) -> str:
    return text.translate(_CONTROLS)


def covered_text(data: bytes) -> dict[str, str]:
    """Comment id → the body text between its commentRangeStart and commentRangeEnd."""
    body = _xml(data, "word/document.xml").find(f"{{{W}}}body")
    open_ids: list[str] = []
    texts: dict[str, list[str]] = {}
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = etree.QName(element).localname
        if event == "start" and tag == "commentRangeStart":
            cid = element.get(f"{{{W}}}id")
            open_ids.append(cid)
            texts[cid] = []
        elif event == "start" and tag == "commentRangeEnd":
            open_ids.remove(element.get(f"{{{W}}}id"))
        elif event == "start" and tag in ("t", "br"):
            for cid in open_ids:
                texts[cid].append(element.text or "" if tag == "t" else "\n")
        elif event == "end" and tag == "p":
            for cid in open_ids:
                texts[cid].append("\n")
    return {cid: clean("".join(parts)) for cid, parts in texts.items()}


def threads_of(data: bytes) -> dict[str, dict[str, Any]]:
    """Comment id → its text, author, initials, date, parent comment id and done flag."""
    comments = _xml(data, "word/comments.xml")
    extended = {e.get(f"{{{W15}}}paraId"): e for e in _xml(data, "word/commentsExtended.xml")}
    by_para: dict[str, str] = {}
    out = {}
    for element in comments.iter(f"{{{W}}}comment"):
        cid = element.get(f"{{{W}}}id")
        paragraphs = element.findall(f"{{{W}}}p")
        para_id = paragraphs[-1].get(f"{{{W14}}}paraId")
        by_para[para_id] = cid
        ex = extended[para_id]
        out[cid] = {"text": "\n".join("".join(p.itertext()) for p in paragraphs),
                    "author": element.get(f"{{{W}}}author"), "initials": element.get(f"{{{W}}}initials"),
                    "date": element.get(f"{{{W}}}date"), "parent_para": ex.get(f"{{{W15}}}paraIdParent"),
                    "done": ex.get(f"{{{W15}}}done"), "paragraphs": paragraphs}
    for entry in out.values():
        entry["parent"] = by_para.get(entry.pop("parent_para"))
    return out


def by_text(found: dict[str, dict[str, Any]], text: str) -> str:
    ids = [cid for cid, entry in found.items() if entry["text"] == text]
    assert len(ids) == 1, (text, [e["text"] for e in found.values()])
    return ids[0]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return schemas.load_template()


@pytest.fixture(scope="module")
def review_ar(template) -> bytes:
    return card_docx(template, review_card(), "ar", review_threads())


# -- the comments -----------------------------------------------------------------------------------

def test_one_comment_per_placed_thread_and_one_per_reply(review_ar):
    document = docx.Document(io.BytesIO(review_ar))
    placed = [th for th in review_threads() if th["id"] not in (5, 9)]
    assert len(document.comments) == sum(len(th["comments"]) for th in placed)
    assert {c.author for c in document.comments} == {"سلمى بناني", "Karim Benali"}


def test_each_comment_covers_exactly_its_text(review_ar):
    found, covered = threads_of(review_ar), covered_text(review_ar)

    def text_of(body: str) -> str:
        return covered[by_text(found, plain_text(body))].rstrip("\n")

    assert text_of("يجب **توضيح** هذا، انظر [التقرير](https://ogp.ma/rapport)") == IN_PARAGRAPH
    # Across two paragraphs: the range ends inside the second.
    assert text_of("Ces deux phrases disent la même chose.") == ACROSS
    assert text_of("Quel *portail* exactement ?") == "le portail"
    assert text_of(HOSTILE[0]) == "المعطيات المفتوحة"
    assert text_of("Le second point.") == "ضعف التحيين"
    # Whole field: its label; whole card: its title; a whole row: all its cells.
    assert text_of("الوصف طويل جدا") == "وصف موجز"
    assert text_of("البطاقة جاهزة للمراجعة") == "الالتزام رقم 7: نشر المعطيات المفتوحة للصفقات العمومية"
    row = text_of("هذا السطر كله")
    assert row.startswith("إعداد المعيار الوطني") and "2024-09" in row and row.endswith("وزارة الاقتصاد والمالية")


def test_stale_offsets_take_the_nearest_occurrence(review_ar):
    found, covered = threads_of(review_ar), covered_text(review_ar)
    cid = by_text(found, "Répétition.")
    assert covered[cid].rstrip("\n") == "Publier"
    body = _xml(review_ar, "word/document.xml")
    start = body.find(f".//{{{W}}}commentRangeStart[@{{{W}}}id='{cid}']")
    paragraph = start.getparent()
    assert "".join(paragraph.itertext()).startswith("Publier chaque mois"), "the second line's Publier"


def test_runs_are_cut_at_range_boundaries_and_keep_their_formatting(review_ar):
    body = _xml(review_ar, "word/document.xml")
    cid = by_text(threads_of(review_ar), plain_text("يجب **توضيح** هذا، انظر [التقرير](https://ogp.ma/rapport)"))
    start = body.find(f".//{{{W}}}commentRangeStart[@{{{W}}}id='{cid}']")
    before = start.getprevious()
    assert clean("".join(before.itertext())).endswith("من "), "the run before the range ends where it starts"
    end = body.find(f".//{{{W}}}commentRangeEnd[@{{{W}}}id='{cid}']")
    last = end.getprevious()
    assert clean("".join(last.itertext())) == "مما يحد" and last.find(f"{{{W}}}rPr/{{{W}}}b") is not None
    after = [r for r in end.itersiblings(f"{{{W}}}r") if r.find(f"{{{W}}}commentReference") is None]
    assert clean("".join(t for r in after for t in r.itertext())).startswith(" من الرقابة المواطنة")
    assert after[0].find(f"{{{W}}}rPr/{{{W}}}b") is not None


def test_replies_are_threaded_and_resolved_threads_done(review_ar):
    found = threads_of(review_ar)
    first = by_text(found, "الوصف طويل جدا")
    reply = by_text(found, "D'accord, je raccourcis.")
    deleted = by_text(found, "محذوف")
    assert found[first]["parent"] is None
    assert found[reply]["parent"] == first and found[deleted]["parent"] == first
    assert {found[c]["done"] for c in (first, reply, deleted)} == {"1"}
    open_thread = by_text(found, "Ces deux phrases disent la même chose.")
    assert found[open_thread]["done"] == "0" and found[open_thread]["parent"] is None
    hostile = [by_text(found, plain_text(body)) for body in HOSTILE]
    assert [found[c]["parent"] for c in hostile] == [None, hostile[0], hostile[0]]
    # Replies come after their parent, in order, as Word writes threads.
    assert [int(c) for c in hostile] == sorted(int(c) for c in hostile)


def test_authors_dates_and_initials(review_ar):
    found = threads_of(review_ar)
    first = found[by_text(found, "الوصف طويل جدا")]
    assert (first["author"], first["initials"], first["date"]) == ("سلمى بناني", "سب", "2026-11-30T10:00:00Z")
    reply = found[by_text(found, "D'accord, je raccourcis.")]
    assert (reply["author"], reply["initials"], reply["date"]) == ("Karim Benali", "KB", "2026-11-30T11:30:00Z")
    assert initials("سعاد العلمي") == "سع" and initials("Jean de la Fontaine") == "JF" and initials("") == ""


def test_arabic_comments_are_right_to_left(review_ar):
    found = threads_of(review_ar)
    arabic = found[by_text(found, "الوصف طويل جدا")]["paragraphs"][0]
    assert arabic.find(f"{{{W}}}pPr/{{{W}}}bidi") is not None
    assert arabic.find(f"{{{W}}}pPr/{{{W}}}bidi").get(f"{{{W}}}val") in (None, "1")
    assert all(r.find(f"{{{W}}}rPr/{{{W}}}rtl") is not None for r in arabic.iter(f"{{{W}}}r")
               if "".join(r.itertext()).strip())
    french = found[by_text(found, "D'accord, je raccourcis.")]["paragraphs"][0]
    assert french.find(f"{{{W}}}pPr/{{{W}}}bidi").get(f"{{{W}}}val") == "0"


def test_markdown_becomes_readable_plain_text(review_ar):
    texts = {entry["text"] for entry in threads_of(review_ar).values()}
    assert "يجب توضيح هذا، انظر التقرير (https://ogp.ma/rapport)" in texts
    assert "Quel portail exactement ?" in texts
    assert plain_text("- un\n- deux\n\n1. trois\n\n> cité\n\n[écrire](mailto:a@b.ma) <https://x.ma>") == \
        "• un\n• deux\n1. trois\n│ cité\nécrire (a@b.ma) https://x.ma"


def test_hostile_bodies_stay_inert_text(review_ar):
    texts = {entry["text"] for entry in threads_of(review_ar).values()}
    assert {"<script>alert(1)</script>", "x", "<img src=x onerror=alert(1)> <b>gras</b>"} <= texts
    with zipfile.ZipFile(io.BytesIO(review_ar)) as archive:
        raw = {name: archive.read(name) for name in archive.namelist()}
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in raw["word/comments.xml"]
    assert not any(b"<script" in data or b"javascript:" in data or b"<img" in data for data in raw.values())


def test_detached_threads_are_listed_after_the_card(review_ar):
    paragraphs = [clean(p.text) for p in docx.Document(io.BytesIO(review_ar)).paragraphs]
    at = paragraphs.index("تعليقات انفصلت عن نصها")
    listed = paragraphs[at + 1:]
    assert listed[0] == "الإشكالية: «نص حذفه أحدهم»"
    assert listed[1] == "سلمى بناني (2026-11-30): هذه الفقرة حذفت"
    # A thread whose current text is not in the card any more is listed too, with its quote.
    assert listed[2] == "الإشكالية: «xxxxxxxxx»"
    assert listed[3] == "Karim Benali (2026-11-30): Ce texte a changé depuis."
    assert len(listed) == 4
    heading = next(p for p in docx.Document(io.BytesIO(review_ar)).paragraphs if p.text == "تعليقات انفصلت عن نصها")
    assert heading.style.style_id == "Heading2"


def test_names_in_the_detached_list_are_isolated(review_ar):
    raw = "".join(p.text for p in docx.Document(io.BytesIO(review_ar)).paragraphs)
    assert "\u2068سلمى بناني\u2069" in raw and "\u2068Karim Benali\u2069" in raw


def test_french_review_copy(template):
    data = card_docx(template, review_card(), "fr", review_threads())
    found = threads_of(data)
    assert found[by_text(found, "supprimé")]["parent"] == by_text(found, "الوصف طويل جدا")
    assert covered_text(data)[by_text(found, "الوصف طويل جدا")].rstrip("\n") == "Description succincte"
    paragraphs = [clean(p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]
    listed = paragraphs[paragraphs.index("Commentaires détachés de leur texte") + 1:]
    assert listed[:2] == ["Problématique : « نص حذفه أحدهم »", "سلمى بناني (2026-11-30) : هذه الفقرة حذفت"]


# -- the Council copy -------------------------------------------------------------------------------

def assert_no_comment(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        parts = b"".join(archive.read(n) for n in names if n.endswith(".xml") or n.endswith(".rels"))
    assert not [n for n in names if "comment" in n.lower()], names
    for marker in (b"commentRangeStart", b"commentRangeEnd", b"commentReference", b"annotationRef",
                   b"relationships/comments"):
        assert marker not in parts, marker
    assert len(docx.Document(io.BytesIO(data)).comments) == 0


def test_the_council_copy_holds_no_comment(template):
    assert_no_comment(card_docx(template, review_card(), "ar"))
    assert_no_comment(card_docx(template, review_card(), "fr"))
    assert_no_comment(plan_docx(template, make_plan(2), "ar"))
    # A review copy of a card without threads is the Council copy.
    assert_no_comment(card_docx(template, review_card(), "ar", []))


# -- the plan ---------------------------------------------------------------------------------------

def test_plan_review_copy_takes_threads_by_card_id_even_as_json_strings(template):
    plan = make_plan(2)
    plan["cards"][0]["content"] = review_card()
    first = plan["cards"][0]["id"]
    for keys in (first, str(first)):
        data = plan_docx(template, plan, "ar", {keys: review_threads()})
        found = threads_of(data)
        assert len(found) == len(docx.Document(io.BytesIO(data)).comments) > 10
        covered = covered_text(data)
        assert covered[by_text(found, "البطاقة جاهزة للمراجعة")].rstrip("\n") == \
            "الالتزام رقم 7: نشر المعطيات المفتوحة للصفقات العمومية"
        heading = next(p for p in docx.Document(io.BytesIO(data)).paragraphs if p.text == "تعليقات انفصلت عن نصها")
        assert heading.style.style_id == "Heading3"
    assert_no_comment(plan_docx(template, plan, "ar", {}))


# -- rendered by LibreOffice ----------------------------------------------------------------------

def normalise(text: str) -> str:
    """PDF text as comparable text: presentation forms folded (NFKC), bidi marks and spacing gone."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_CONTROLS).split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, soffice, pdftotext, template, review_ar) -> dict[str, Any]:
    workdir: Path = tmp_path_factory.mktemp("review")
    documents = {"review_fr": card_docx(template, review_card(), "fr", review_threads()), "review_ar": review_ar}
    pdfs = render_pdfs(soffice, documents, workdir, comments_in_margin=True)
    flat = render_pdfs(soffice, {"review_ar": review_ar}, workdir, to="fodt")
    return {"text": {name: normalise(pdf_text(pdftotext, pdf)) for name, pdf in pdfs.items()},
            "pdf": pdfs, "fodt": etree.parse(str(flat["review_ar"])).getroot()}


@pytest.mark.libreoffice
def test_comments_print_in_the_margin(rendered):
    text = rendered["text"]["review_fr"]
    # pdftotext reads a margin box line by line in its own order, so a line that mixes Arabic
    # and punctuation is checked piece by piece.
    for body in ("يجب توضيح هذا", "انظر التقرير", "(https://ogp.ma/rapport)", "Ces deux phrases disent la même chose.",
                 "الوصف طويل جدا", "D'accord, je raccourcis.", "supprimé", "Quel portail exactement ?",
                 "<script>alert(1)</script>", "<b>gras</b>", "البطاقة جاهزة للمراجعة", "Karim Benali"):
        assert normalise(body) in text, body
    # The page itself is unchanged around them.
    assert normalise("Les données ne sont pas publiées en format ouvert.") in text
    assert "Commentaires détachés de leur texte" in text


@pytest.mark.libreoffice
def test_libreoffice_reads_every_comment_of_the_arabic_copy(rendered, review_ar):
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    loext = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
    dc = "http://purl.org/dc/elements/1.1/"
    notes = rendered["fodt"].findall(f".//{{{office}}}annotation")
    assert len(notes) == len(docx.Document(io.BytesIO(review_ar)).comments)
    read = {normalise("".join(n.itertext()).replace(n.findtext(f"{{{dc}}}creator") or "", "", 1)):
            n.get(f"{{{loext}}}resolved") for n in notes}
    assert any("الوصف طويل جدا" in k and v == "true" for k, v in read.items()), read
    assert any("Ces deux phrases" in k and v == "false" for k, v in read.items()), read
    # LibreOffice 7.4 draws margin comments of a right-to-left section outside the page, so the
    # Arabic PDF is checked for its body and the list of detached threads only.
    text = rendered["text"]["review_ar"]
    assert normalise("تعليقات انفصلت عن نصها") in text and normalise("هذه الفقرة حذفت") in text


# -- through the API --------------------------------------------------------------------------------

@pytest.fixture
def reviewed(app, factory, monkeypatch):
    """A card and its plan, with comment threads served by a stand-in for server.services.threads."""
    from server import db
    from server.auth.tokens import create_token
    from server.models import User

    admin = factory.user(admin=True)
    plan = factory.plan(admin, coordinator_org_id=factory.org("government", "Ministère"))
    card_id = factory.card(plan, admin, axis_id=factory.axis(plan, admin), fields=copy.deepcopy(REVIEW_FIELDS))
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, admin))
        session.commit()
    asked: list[list[int]] = []

    # The hand-made threads cover every placement at once; the real service is checked by
    # test_a_review_copy_of_threads_made_through_the_api below.
    def threads_for_export(session, documents, cards):
        asked.append([c.id for c in cards])
        return {c.id: review_threads() for c in cards}

    monkeypatch.setattr("server.services.threads.threads_for_export", threads_for_export)
    return {"plan": plan, "card": card_id, "h": {"Authorization": f"Bearer {secret}"}, "asked": asked}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_card_and_plan_review_copies_through_the_api(client, reviewed, app):
    from sqlalchemy import select

    from server import db
    from server.models import AuditEvent

    h = reviewed["h"]
    res = client.get(f"/api/v1/cards/{reviewed['card']}/export.docx?lang=ar&comments=1", headers=h)
    assert res.status_code == 200, res.json
    assert res.headers["Content-Disposition"] == 'attachment; filename="iltizam-card-1-ar-comments.docx"'
    found = threads_of(res.data)
    assert covered_text(res.data)[by_text(found, "Ces deux phrases disent la même chose.")].rstrip("\n") == ACROSS
    # The plan's Word export is built in a worker process: the threads cross as JSON.
    res = client.get(f"/api/v1/plans/{reviewed['plan']}/export.docx?lang=fr&comments=1", headers=h)
    assert res.status_code == 200, res.json
    assert len(docx.Document(io.BytesIO(res.data)).comments) == len(found)
    assert reviewed["asked"] == [[reviewed["card"]], [reviewed["card"]]]
    assert_no_comment(client.get(f"/api/v1/cards/{reviewed['card']}/export.docx?lang=ar", headers=h).data)
    assert_no_comment(client.get(f"/api/v1/plans/{reviewed['plan']}/export.docx?comments=0", headers=h).data)
    with app.app_context():
        events = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert [e.details.get("comments", False) for e in events] == [True, True, False, False]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_comments_is_a_word_option(client, reviewed):
    h = reviewed["h"]
    for url in (f"/api/v1/cards/{reviewed['card']}/export.md?comments=1",
                f"/api/v1/plans/{reviewed['plan']}/export.json?comments=1",
                f"/api/v1/cards/{reviewed['card']}/export.docx?comments=yes"):
        res = client.get(url, headers=h)
        assert res.status_code == 422 and res.json["field"] == "comments", url


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_review_copy_of_threads_made_through_the_api(client, app, factory):
    from server import db
    from server.auth.tokens import create_token
    from server.models import User

    admin = factory.user(admin=True)
    plan = factory.plan(admin)
    card = factory.card(plan, admin, fields={"title": "الحق في المعلومة", "problem": [
        {"type": "paragraph", "content": [{"type": "text", "text": "Les délais dépassent souvent 60 jours."}]}]})
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, admin))
        session.commit()
    h = {"Authorization": f"Bearer {secret}"}
    made = client.post(f"/api/v1/cards/{card}/threads", headers=h,
                       json={"field": "problem", "quote": "60 jours", "body": "Source <script>x</script> ?"})
    assert made.status_code == 201, made.json
    assert client.post(f"/api/v1/threads/{made.json['id']}/comments", headers=h, json={"body": "2023"}).status_code == 201
    assert client.post(f"/api/v1/cards/{card}/threads", headers=h, json={"body": "Fiche prête ?"}).status_code == 201
    res = client.get(f"/api/v1/cards/{card}/export.docx?lang=fr&comments=1", headers=h)
    assert res.status_code == 200, res.json
    texts = sorted(c.text for c in docx.Document(io.BytesIO(res.data)).comments)
    assert texts == sorted(["Source <script>x</script> ?", "2023", "Fiche prête ?"])
    found = threads_of(res.data)
    assert covered_text(res.data)[by_text(found, "Source <script>x</script> ?")] == "60 jours"
