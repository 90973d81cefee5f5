"""Fixtures for the exporter tests; the sample content itself lives in exports_support.py."""
from __future__ import annotations

import shutil
from typing import Any

import pytest
from exports_support import AXES, arabic_fields, card_content, french_fields, make_plan

import schemas


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "libreoffice: renders documents with LibreOffice headless (slow; needs soffice, pdftotext)")


# -- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return schemas.load_template()


@pytest.fixture
def ar_content() -> dict[str, Any]:
    return card_content(arabic_fields(3), "3", AXES[1])


@pytest.fixture
def fr_content() -> dict[str, Any]:
    return card_content(french_fields(5), "5", AXES[0])


@pytest.fixture
def plan() -> dict[str, Any]:
    return make_plan(4)


@pytest.fixture(scope="session")
def soffice() -> str:
    path = shutil.which("soffice")
    if path is None:
        pytest.fail("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer; "
                    "the rendering tests need it and do not skip")
    return path


@pytest.fixture(scope="session")
def pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        pytest.fail("pdftotext is not installed: apt-get install poppler-utils; "
                    "the rendering tests need it and do not skip")
    return path
