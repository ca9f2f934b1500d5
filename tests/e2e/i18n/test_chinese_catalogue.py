"""The Chinese (zh-hans) catalogue: complete, compiled, and what a user sees first.

The msgids are English; the platform is Chinese first, so a missing or stale translation shows
English to every Chinese user. These tests read src/patientcap/locale/ directly and render pages.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

import patientcap

LC_MESSAGES = Path(patientcap.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdrf]|%%|%[sdrf]|\{[A-Za-z_0-9]*\}")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # ideographs, CJK punctuation


def _catalogue() -> polib.POFile:
    return polib.pofile(str(LC_MESSAGES / "django.po"))


def _translation(entry: polib.POEntry) -> str:
    return entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr


def test_every_message_in_the_chinese_catalogue_is_translated_and_checked():
    po = _catalogue()
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not po.metadata_is_fuzzy
    active = [e for e in po if not e.obsolete]
    assert len(active) > 500
    assert [e.msgid for e in active if not _translation(e)] == []
    assert [e.msgid for e in active if "fuzzy" in e.flags] == []
    assert [e.msgid for e in active if not CJK.search(_translation(e))] == []


def test_every_translation_keeps_the_placeholders_of_its_message():
    wrong = [
        (e.msgid, _translation(e))
        for e in _catalogue()
        if not e.obsolete
        and sorted(PLACEHOLDER.findall(_translation(e))) != sorted(PLACEHOLDER.findall(e.msgid))
    ]
    assert wrong == []


def test_the_compiled_catalogue_is_up_to_date_with_its_source():
    compiled = {
        (e.msgctxt, e.msgid): _translation(e) for e in polib.mofile(str(LC_MESSAGES / "django.mo"))
    }
    source = {(e.msgctxt, e.msgid): _translation(e) for e in _catalogue().translated_entries()}
    assert compiled == source, (
        "stale django.mo: cd src/patientcap && DEBUG=1 uv run patientcap compilemessages"
    )


@pytest.fixture
def chinese_first(settings):
    # Other tests may run in English; these check the installed default.
    settings.LANGUAGE_CODE = "zh-hans"


def test_a_visitor_sees_chinese_first_and_english_after_switching(chinese_first, db):
    assert settings.LANGUAGES[0][0] == "zh-hans"
    browser = Client()
    page = browser.get(reverse("accounts:login")).content.decode()
    assert "用户名" in page and "耐心资本" in page and "Username" not in page
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = browser.get(reverse("accounts:login")).content.decode()
    assert "Username" in page and "Patient Capital" in page and "用户名" not in page


def test_a_signed_in_officer_works_in_chinese(chinese_first, users):
    browser = Client()
    browser.force_login(users["zone_officer"])
    approvals = browser.get(reverse("approvals:list")).content.decode()
    assert "待我审批" in approvals and "园区基金专员" in approvals
    profile = browser.get(reverse("accounts:profile")).content.decode()
    assert "修改密码" in profile and "Change password" not in profile
    policy = browser.get(reverse("policy:parameters")).content.decode()
    assert "政策参数" in policy and "生效日期" in policy


def test_an_english_browser_still_starts_in_chinese_until_the_person_switches(chinese_first, db):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = browser.get(reverse("accounts:login")).content.decode()
    assert "用户名" in page and "Username" not in page
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Username" in browser.get(reverse("accounts:login")).content.decode()


def test_the_language_menu_names_each_language_in_itself(chinese_first, db):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert ">简体中文<" in page and ">English<" in page
