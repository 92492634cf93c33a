from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
ENTRY = re.compile(
    r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\n((?:".*"\n)*)msgstr(?:\[0\])? "(.*)"\n((?:".*"\n)*)', re.MULTILINE
)


def _entries(language: str) -> list[tuple[str, str, str]]:
    """(context, msgid, msgstr) of every entry; context is "" for entries without msgctxt."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    text = re.sub(r"^#~.*\n", "", text, flags=re.MULTILINE)

    def joined(first: str, rest: str) -> str:
        return first + "".join(re.findall(r'^"(.*)"$', rest, flags=re.MULTILINE))

    return [(m[1] or "", joined(m[2], m[3]), joined(m[4], m[5])) for m in ENTRY.finditer(text)]


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete_and_not_fuzzy(language: str) -> None:
    po = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    entries = _entries(language)
    assert len(entries) > 400
    untranslated = [msgid for _context, msgid, msgstr in entries if msgid and not msgstr]
    assert untranslated == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    compiled = gettext.GNUTranslations(open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb"))  # noqa: SIM115
    for context, msgid, msgstr in _entries(language):
        if msgid and "\\" not in msgid and "\\" not in msgstr:
            found = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
            assert found == msgstr, msgid


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "Praxisbeispiele"), ("fr", "bonnes pratiques"), ("es", "buenas prácticas"), ("ar", "ممارسات")],
)
def test_pages_are_translated(client: Client, db: None, language: str, expected: str) -> None:
    html = client.get(f"/{language}/practices/").content.decode()
    assert expected in html.lower() or expected in html


def test_vocabulary_names_follow_the_interface_language(db: None) -> None:
    from connective.core.models import Country, Topic

    with translation.override("fr"):
        assert Topic.objects.get(slug="water-and-sanitation").name == "Eau et assainissement"
        assert Country.objects.get(code="DE").name == "Allemagne"
    with translation.override("ar"):
        assert Country.objects.get(code="TN").name == "تونس"
