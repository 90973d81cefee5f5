"""Word import keeps the file's comments: the field, row and column each was in, what it quoted,
its replies and whether it was resolved. Files are built with python-docx's own comments API."""
from __future__ import annotations

import io
import json
from typing import Any

import docx
import pytest
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from exports_support import ACROSS, IN_PARAGRAPH, review_card, review_threads
from lxml import etree

import schemas
from exports import card_docx, import_docx
from server.review.plain import canonical_text

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return schemas.load_template()


def _runs(paragraph, *texts: str):
    return [paragraph.add_run(text) for text in texts]


def _thread_parts(document, threads: list[tuple[Any, list[Any], bool]]) -> None:
    """A commentsExtended part as Word writes it: each reply names its thread's first comment.

    python-docx has no replies; each comment's last paragraph gets a w14:paraId to be named by.
    """
    root = etree.Element(f"{{{W15}}}commentsEx", nsmap={"w15": W15})
    number = 0
    for first, replies, done in threads:
        ids = []
        for comment in [first, *replies]:
            number += 1
            ids.append(f"{number:08X}")
            comment.paragraphs[-1]._p.set(f"{{{W14}}}paraId", ids[-1])
        for index, para_id in enumerate(ids):
            entry = etree.SubElement(root, f"{{{W15}}}commentEx")
            entry.set(f"{{{W15}}}paraId", para_id)
            if index:
                entry.set(f"{{{W15}}}paraIdParent", ids[0])
            entry.set(f"{{{W15}}}done", "1" if done else "0")
    part = Part(PackURI("/word/commentsExtended.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
                etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), document.part.package)
    document.part.relate_to(part, "http://schemas.microsoft.com/office/2011/relationships/commentsExtended")


def commented_docx() -> bytes:
    """A card written as headings in Arabic and French, commented in Word by two people."""
    document = docx.Document()
    document.add_heading("بطاقة الالتزام", level=1)
    label = document.add_heading("عنوان الالتزام", level=2)
    document.add_comment(label.runs, text="العنوان طويل", author="سلمى بناني", initials="سب")
    _, word, _ = _runs(document.add_paragraph(), "رقمنة ", "السجلات", " العقارية")
    document.add_comment(word, text="Quels registres ?", author="Karim Benali", initials="KB")

    document.add_heading("الإشكالية", level=2)
    _, _, _, again, last = _runs(document.add_paragraph(), "تعاني ", "السجلات", " من التشتت، و", "السجلات",
                                 " غير رقمية.")
    last.bold = True
    first_french, _ = _runs(document.add_paragraph(), "Les registres ", "restent sur papier.")
    repeated = document.add_comment(again, text="تكرار", author="سلمى بناني")
    # Across two paragraphs, with two replies (separate comments on the same range, as Word has them).
    across = document.add_comment([last, first_french], text="Deux langues dans un même champ.", author="Karim Benali")
    answers = [document.add_comment([last, first_french], text="نعم، سنترجم.", author="سلمى بناني"),
               document.add_comment([last, first_french], text="Merci.", author="Karim Benali")]

    document.add_heading("المراحل والأنشطة", level=2)
    table = document.add_table(rows=3, cols=4)
    for cells, texts in zip(table.rows, (("النشاط", "المخرَج", "تاريخ البداية", "تاريخ النهاية"),
                                         ("جرد السجلات", "تقرير الجرد", "2024-03", "2024-09"),
                                         ("Numériser ", "Base numérique", "2024-10", "2025-06"))):
        for cell, text in zip(cells.cells, texts):
            cell.text = text
    quoted = table.rows[2].cells[0].paragraphs[0].add_run("les registres")
    document.add_comment(quoted, text="Tous les registres ?", author="Karim Benali")
    document.add_comment(table.rows[1].cells[3].paragraphs[0].runs, text="التاريخ متأخر", author="سلمى بناني")

    document.add_heading("Résultats attendus", level=2)
    _, published = _runs(document.add_paragraph(), "Des registres ", "numérisés et publiés.")
    document.add_heading("ملاحظات", level=2)
    aside = document.add_paragraph().add_run("نص لا ينتمي إلى أي حقل.")
    # From the results into the next section: kept on the results, cut at their end.
    document.add_comment([published, aside], text="À vérifier.", author="Karim Benali")
    document.add_comment(aside, text="خارج البطاقة", author="سلمى بناني")
    _thread_parts(document, [(across, answers, True), (repeated, [], False)])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def imported(template):
    return import_docx(template, commented_docx())


def by_body(comments: list[dict[str, Any]], body: str) -> dict[str, Any]:
    found = [c for c in comments if c["body"] == body]
    assert len(found) == 1, (body, [c["body"] for c in comments])
    return found[0]


def test_every_comment_is_kept_with_its_author_and_date(imported):
    comments = imported.comments
    assert len(comments) == 8  # the two replies travel with their thread
    entry = by_body(comments, "Quels registres ?")
    assert entry["author"] == "Karim Benali" and entry["date"].startswith("20")
    assert json.loads(json.dumps(comments)) == comments, "JSON-ready: it crosses the worker's pipe"


def test_comments_in_text_fields_quote_their_text(imported, template):
    title = by_body(imported.comments, "Quels registres ?")
    assert (title["field"], title["row"], title["column"]) == ("title", None, None)
    assert (title["quote"], title["occurrence"]) == ("السجلات", 1)
    assert imported.values["title"] == "رقمنة السجلات العقارية"


def test_repeated_quotes_say_which_occurrence(imported):
    entry = by_body(imported.comments, "تكرار")
    assert (entry["field"], entry["quote"], entry["occurrence"]) == ("problem", "السجلات", 2)
    assert canonical_text(imported.values["problem"]).count("السجلات") == 2


def test_a_range_across_paragraphs_and_its_replies(imported):
    entry = by_body(imported.comments, "Deux langues dans un même champ.")
    assert entry["field"] == "problem" and entry["quote"] == " غير رقمية.\nLes registres "
    assert entry["occurrence"] == 1
    assert [(r["author"], r["body"]) for r in entry["replies"]] == [("سلمى بناني", "نعم، سنترجم."),
                                                                    ("Karim Benali", "Merci.")]
    assert entry["resolved"] is True
    assert by_body(imported.comments, "تكرار")["resolved"] is False


def test_a_comment_on_a_label_is_about_the_whole_field(imported):
    entry = by_body(imported.comments, "العنوان طويل")
    assert (entry["field"], entry["quote"], entry["occurrence"]) == ("title", None, None)


def test_comments_in_table_cells_name_the_row_the_import_made(imported):
    rows = imported.values["milestones"]
    cell = by_body(imported.comments, "Tous les registres ?")
    assert cell["field"] == "milestones" and cell["row"] == rows[1]["id"] and cell["column"] == "activity"
    assert (cell["quote"], cell["occurrence"]) == ("les registres", 1)
    month = by_body(imported.comments, "التاريخ متأخر")
    # A month cell holds no text to quote: the comment is about the whole cell.
    assert (month["row"], month["column"], month["quote"]) == (rows[0]["id"], "end", None)


def test_a_range_into_the_next_section_stays_on_its_first_field(imported):
    entry = by_body(imported.comments, "À vérifier.")
    assert entry["field"] == "results" and entry["quote"] == "numérisés et publiés."
    outside = by_body(imported.comments, "خارج البطاقة")
    assert outside["field"] is None and outside["quote"] == "نص لا ينتمي إلى أي حقل."


def test_a_file_without_comments(template):
    document = docx.Document()
    document.add_heading("Problématique", level=2)
    document.add_paragraph("Un texte.")
    buffer = io.BytesIO()
    document.save(buffer)
    assert import_docx(template, buffer.getvalue()).comments == []


# -- a review copy read back -------------------------------------------------------------------------

def test_a_review_copy_comes_back_with_its_threads(template):
    for lang in ("ar", "fr"):
        result = import_docx(template, card_docx(template, review_card(), lang, review_threads()))
        comments = {c["body"]: c for c in result.comments}
        first = comments["يجب توضيح هذا، انظر التقرير (https://ogp.ma/rapport)"]
        assert (first["field"], first["quote"], first["occurrence"]) == ("problem", IN_PARAGRAPH, 1)
        assert comments["Ces deux phrases disent la même chose."]["quote"] == ACROSS
        assert comments["Répétition."]["occurrence"] == 2
        cell = comments["Quel portail exactement ?"]
        assert cell["row"] == result.values["milestones"][1]["id"] and cell["quote"] == "le portail"
        row = comments["هذا السطر كله"]
        assert (row["row"], row["column"], row["quote"]) == (result.values["milestones"][0]["id"], None, None)
        whole = comments["الوصف طويل جدا"]
        assert (whole["field"], whole["quote"], whole["resolved"]) == ("summary", None, True)
        assert [r["body"] for r in whole["replies"]] == ["D'accord, je raccourcis.",
                                                         {"ar": "محذوف", "fr": "supprimé"}[lang]]
        assert comments["البطاقة جاهزة للمراجعة"]["field"] is None
        # Detached threads are a list in the copy, not comments: they do not come back.
        assert "هذه الفقرة حذفت" not in comments and len(comments) == 9


# -- through the API ---------------------------------------------------------------------------------

@pytest.fixture
def importer(app, factory):
    from server import db
    from server.auth.tokens import create_token
    from server.models import User

    admin = factory.user(admin=True)
    plan = factory.plan(admin, coordinator_org_id=factory.org("government", "Ministère"))
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, admin))
        session.commit()
    return {"plan": plan, "h": {"Authorization": f"Bearer {secret}"}}


def _upload(client, importer, data: bytes):
    return client.post(f"/api/v1/plans/{importer['plan']}/import", headers=importer["h"],
                       data={"file": (io.BytesIO(data), "commented.docx")}, content_type="multipart/form-data")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_imported_files_comments_become_the_cards_threads(client, importer):
    res = _upload(client, importer, commented_docx())
    assert res.status_code == 201, res.json
    assert res.json["comments"] == {"found": 8, "kept": 8}
    card_id = res.json["card"]["id"]
    threads = client.get(f"/api/v1/cards/{card_id}/threads", headers=importer["h"]).json["threads"]
    assert len(threads) == 8
    fields = client.get(f"/api/v1/cards/{card_id}", headers=importer["h"]).json["content"]["fields"]
    cell = next(t for t in threads if "Tous les registres ?" in t["comments"][0]["text"])
    assert cell["row"] == fields["milestones"][1]["id"], "the row ids the card was written with"
    assert cell["current_text"] == cell["quote"] and not cell["detached"]
