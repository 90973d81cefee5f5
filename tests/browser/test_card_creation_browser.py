"""Making a card in Chromium, in Arabic and in French: from the dashboard's form to the new card's
live editor, whose checklist links each failing field to the place to fill it; and from a Word
file, whose import report reads in the interface language."""
from __future__ import annotations

import re

from browser_support import CardPage, wait_until


def _focused_id(page: CardPage) -> str:
    return page.page.evaluate("document.activeElement && document.activeElement.id")


def test_a_card_made_from_the_dashboard_opens_in_its_editor_and_its_checklist_leads_to_fields(live_server, chromium):
    p = live_server.people
    page = CardPage(chromium, live_server.url, live_server.coordinator, p["password"], lang="ar")
    tab = page.page
    try:
        tab.goto(f"{live_server.url}/plans/1")
        assert tab.get_attribute("html", "dir") == "rtl"
        with tab.expect_navigation():
            tab.get_by_role("link", name="بطاقة جديدة").click()
        tab.fill("#card-new-number", "42")
        tab.select_option("#card-new-lead", index=1)  # the first known government organisation
        tab.select_option("#card-new-co_lead", "new")
        tab.get_by_label("الاسم بالعربية").last.fill("جمعية المواطنة الرقمية")
        tab.get_by_label("الاسم بالفرنسية").last.fill("Association Citoyenneté numérique")
        with tab.expect_navigation():
            tab.get_by_role("button", name="إنشاء البطاقة").click()
        assert "/cards/" in tab.url
        tab.wait_for_selector("#card-editor.live .card-form", timeout=15000)
        assert "أُنشئت البطاقة رقم 42" in tab.inner_text("main")
        assert "جمعية المواطنة الرقمية" in tab.inner_text("#field-co_lead")

        required = tab.locator('#criteria-list li[data-criterion="required_fields"]')
        link = required.get_by_role("link", name="إلزامي: الإشكالية")
        link.click()
        wait_until(lambda: _focused_id(page) == "input-problem", message="focus in the problem field")
        tab.keyboard.type("نص")
        wait_until(lambda: "نص" in tab.inner_text("#input-problem"), message="typing where the link led")

        required.get_by_role("link", name="إلزامي: وصف موجز").click()
        wait_until(lambda: tab.evaluate("document.activeElement.closest('#field-summary') !== null"),
                   message="focus in the summary field")
        # The card's own fields are on the page, outside the editor: the link leads there too.
        tab.select_option("#field-lead", "")
        with tab.expect_navigation():
            tab.get_by_role("button", name="حفظ الجهتين").click()
        tab.wait_for_selector("#card-editor.live .card-form", timeout=15000)
        tab.locator('#criteria-list li[data-criterion="required_fields"]').get_by_role(
            "link", name="إلزامي: الجهة المسؤولة عن التنفيذ").click()
        wait_until(lambda: _focused_id(page) == "field-lead", message="focus on the lead institution")
        page.assert_no_errors()
    finally:
        page.close()


MEF_FR = "Ministère de l'Économie et des Finances"
TRANSPARENCY_FR = "Transparency Maroc"


def test_a_french_coordinator_makes_a_card_with_known_lead_and_co_lead_and_edits_it_in_french(live_server, chromium):
    p = live_server.people
    page = CardPage(chromium, live_server.url, live_server.coordinator, p["password"], lang="fr")
    tab = page.page
    try:
        tab.goto(f"{live_server.url}/plans/1")
        assert tab.get_attribute("html", "lang") == "fr" and tab.get_attribute("html", "dir") == "ltr"
        with tab.expect_navigation():
            tab.get_by_role("link", name="Nouvelle fiche").click()
        assert tab.inner_text("h1") == "Nouvelle fiche"
        # The form speaks French, organisations under their French names.
        lead = tab.get_by_role("group", name="Chef de file")
        co_lead = tab.get_by_role("group", name="Co-pilote société civile")
        lead.get_by_label("Choisir parmi les organisations connues").select_option(label=MEF_FR)
        co_lead.get_by_label("Choisir parmi les organisations connues").select_option(label=TRANSPARENCY_FR)
        tab.get_by_label("Engagement n°", exact=True).fill("43")
        with tab.expect_navigation():
            tab.get_by_role("button", name="Créer la fiche").click()
        assert "/cards/" in tab.url
        tab.wait_for_selector("#card-editor.live .card-form", timeout=15000)
        assert tab.get_attribute("html", "lang") == "fr"
        main = tab.inner_text("main")
        assert "Fiche n° 43 créée." in main
        # Lead and co-lead are the ones picked, still changeable while the card is a draft.
        assert tab.locator("#field-lead option:checked").inner_text() == MEF_FR
        assert tab.locator("#field-co_lead option:checked").inner_text() == TRANSPARENCY_FR
        # The editor's form carries the template's French labels.
        form = tab.inner_text("#card-editor .card-form")
        for label in ("Intitulé de l'engagement", "Description succincte", "Problématique", "Jalons et activités",
                      "Pertinence au regard des valeurs du PGO"):
            assert label in form, label
        for arabic in ("عنوان الالتزام", "الإشكالية"):
            assert arabic not in form, arabic
        required = tab.locator('#criteria-list li[data-criterion="required_fields"]')
        required.get_by_role("link", name="obligatoire : Problématique").click()
        wait_until(lambda: _focused_id(page) == "input-problem", message="focus in the problem field")
        tab.keyboard.type("Les données")
        wait_until(lambda: "Les données" in tab.inner_text("#input-problem"), message="typing where the link led")
        page.assert_no_errors()
    finally:
        page.close()


def _word_card(rows: list[tuple[str, str]]) -> bytes:
    import io

    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_import_reports_in_french_with_labels_and_says_which_organisation_it_did_not_match(
        live_server, chromium):
    p = live_server.people
    page = CardPage(chromium, live_server.url, live_server.coordinator, p["password"], lang="fr")
    tab = page.page
    try:
        tab.goto(f"{live_server.url}/plans/1")
        tab.get_by_text("Importer une fiche depuis Word").click()
        tab.get_by_label("Fichier Word (.docx)").set_input_files({
            "name": "fiche.docx", "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "buffer": _word_card([("Intitulé de l'engagement", "Budget citoyen régional"),
                                  ("الجهة المسؤولة عن التنفيذ", "وزارة الإقتصاد و المالية"),
                                  ("Co-pilote de la société civile", "Agence nationale des nuages")])})
        tab.locator("#import-form").get_by_role("button", name="Importer").click()
        tab.wait_for_selector(".import-result table", timeout=15000)
        lines = tab.locator(".import-result tbody tr")
        # Names from the file are isolated (U+2068…U+2069) inside the message: read without them.
        rows = {lines.nth(i).locator("td").nth(1).inner_text(): re.sub("[\u2066-\u2069]", "", lines.nth(i).inner_text())
                for i in range(lines.count())}
        assert "reconnue : Ministère de l'Économie et des Finances" in rows["Institution chef de file"]
        assert "non reconnue : Agence nationale des nuages" in rows["Co-pilote de la société civile"]
        assert "importé" in rows["Intitulé de l'engagement"]
        report = tab.inner_text(".import-result")
        for field_id in ("lead", "co_lead", "title", "not_matched"):
            assert field_id not in report.split(), field_id
        with tab.expect_navigation():
            tab.get_by_role("link", name="Ouvrir la fiche").click()
        assert tab.locator("#field-lead option:checked").inner_text() == MEF_FR
        assert tab.locator("#field-co_lead option:checked").inner_text() == "—"
        page.assert_no_errors()
    finally:
        page.close()
