"""The demo data set that `make run` loads: complete, consistent, loaded once.

The load (34,000 GeoNames cities, 43 practices with drawn images) takes seconds, so it runs once for the
module inside a transaction that is rolled back at the end; each test runs in a savepoint within it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from connective.accounts.models import Role, User
from connective.core.models import City, CitySize
from connective.network.models import Organisation
from connective.practices.demo_loader import (
    ADMIN_EMAIL,
    DEMO_DIR,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    EDITOR_EMAIL,
    MEMBER_EMAIL,
    REVIEW_PRACTICES,
    STAFF_EMAIL,
    CityResolver,
    DemoDataError,
    DemoSummary,
    check_demo_data,
    load_demo,
    read_demo_json,
)
from connective.practices.models import (
    SECTIONS,
    Practice,
    PracticeRelation,
    PracticeReview,
    PracticeStatus,
    ReviewAction,
)
from tests.factories import wagtail_roots

PRACTICES_JSON: list[dict[str, Any]] = json.loads((DEMO_DIR / "practices.json").read_text(encoding="utf-8"))
PEOPLE_JSON: list[dict[str, Any]] = json.loads((DEMO_DIR / "people.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSummary]:
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        wagtail_roots()
        summary = load_demo()
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo: DemoSummary, db: Any) -> DemoSummary:
    return demo


def test_load_demo_publishes_every_record_and_adds_three_in_review(loaded: DemoSummary) -> None:
    published = Practice.objects.filter(status=PracticeStatus.PUBLISHED)
    assert sorted(published.values_list("slug", flat=True)) == sorted(
        record["slug"] for record in PRACTICES_JSON
    )
    assert published.filter(published_at__isnull=True).count() == 0
    by_status = dict(Practice.objects.exclude(status=PracticeStatus.PUBLISHED).values_list("slug", "status"))
    assert by_status == {record["slug"]: record["status"] for record in REVIEW_PRACTICES}
    assert loaded.published == len(PRACTICES_JSON)
    assert loaded.in_review == 3


def test_demo_review_practices_belong_to_the_member_with_their_history(loaded: DemoSummary) -> None:
    member = User.objects.get(email=MEMBER_EMAIL)
    in_review = Practice.objects.exclude(status=PracticeStatus.PUBLISHED)
    assert {practice.author_id for practice in in_review} == {member.pk}
    sent_back = Practice.objects.get(status=PracticeStatus.CHANGES_REQUESTED)
    request = PracticeReview.objects.get(practice=sent_back, action=ReviewAction.REQUEST_CHANGES)
    assert request.actor == User.objects.get(email=EDITOR_EMAIL)
    assert request.comment.startswith("Thank you, this is promising.")
    waiting = Practice.objects.get(status=PracticeStatus.SUBMITTED)
    assert list(waiting.reviews.values_list("action", flat=True)) == [ReviewAction.SUBMIT]
    assert waiting.submitted_at is not None
    assert not Practice.objects.get(status=PracticeStatus.DRAFT).reviews.exists()


def test_demo_practices_are_placed_in_real_cities(loaded: DemoSummary) -> None:
    practices = Practice.objects.select_related("city__country", "country", "region")
    assert practices.count() == len(PRACTICES_JSON) + len(REVIEW_PRACTICES)
    for practice in practices:
        city = practice.city
        assert city.geoname_id > 0 and city.population > 0, practice.slug
        assert practice.country == city.country
        assert practice.region_id == city.country.region_id
        assert practice.city_size == CitySize.for_population(city.population)
        assert (practice.latitude, practice.longitude) == (city.latitude, city.longitude)
    kigali = Practice.objects.get(slug="kigali-mpazi-incremental-upgrading").city
    assert (kigali.name, kigali.country_id) == ("Kigali", "RW")


def test_demo_practices_keep_topics_partners_links_and_relations(loaded: DemoSummary) -> None:
    for record in PRACTICES_JSON:
        practice = Practice.objects.get(slug=record["slug"])
        assert set(practice.topics.values_list("slug", flat=True)) == set(record["topics"]), record["slug"]
        assert set(practice.sdgs.values_list("number", flat=True)) == set(record["sdgs"]), record["slug"]
        assert practice.links.count() == len(record["links"]), record["slug"]
        expected_partners = {key for key in record["partners"] if key != record["lead_organisation"]}
        assert set(practice.partners.values_list("slug", flat=True)) == expected_partners, record["slug"]
        assert practice.lead_organisation is not None
        assert practice.lead_organisation.slug == record["lead_organisation"]
    relations = set(PracticeRelation.objects.values_list("source__slug", "target__slug", "kind"))
    expected = {
        (record["slug"], relation["to"], relation.get("kind", "related"))
        for record in PRACTICES_JSON
        for relation in record["related"]
    }
    assert relations == expected


def test_demo_practices_each_have_one_illustration_with_alt_text(loaded: DemoSummary) -> None:
    for practice in Practice.objects.prefetch_related("images__image"):
        images = list(practice.images.all())
        assert len(images) == 1, practice.slug
        assert images[0].alt_text.strip(), practice.slug
        assert (images[0].image.width, images[0].image.height) == (1200, 675)
        assert 30_000 < images[0].image.file_size < 200_000, practice.slug
        assert images[0].image.title == practice.title
    assert loaded.images == len(PRACTICES_JSON) + len(REVIEW_PRACTICES)


def test_demo_contacts_exist_and_their_addresses_stay_off_the_records(loaded: DemoSummary) -> None:
    people = {record["key"]: record["email"] for record in PEOPLE_JSON}
    for record in PRACTICES_JSON:
        practice = Practice.objects.select_related("contact", "author").get(slug=record["slug"])
        assert practice.contact is not None
        assert practice.contact.email == people[record["contact"]]
        assert practice.author == practice.contact
    addresses = set(User.objects.values_list("email", flat=True))
    fields = ["title", "summary", *(name for name, _ in SECTIONS)]
    for values in Practice.objects.values_list(*fields):
        text = " ".join(values)
        assert not any(address in text for address in addresses)
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text)


def test_demo_people_can_sign_in_with_the_demo_password(loaded: DemoSummary) -> None:
    from allauth.account.models import EmailAddress

    emails = [record["email"] for record in PEOPLE_JSON] + [
        MEMBER_EMAIL,
        EDITOR_EMAIL,
        STAFF_EMAIL,
        ADMIN_EMAIL,
    ]
    users = User.objects.filter(email__in=emails)
    assert users.count() == len(emails)
    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    assert EmailAddress.objects.filter(email__in=emails, verified=True, primary=True).count() == len(emails)
    for record in PEOPLE_JSON:
        user = User.objects.select_related("organisation", "city").get(email=record["email"])
        first = record["languages"][0] if record["languages"] else "en"
        assert user.language == (first if first in {"en", "de", "fr", "es", "pt", "ar"} else "en")
        assert user.city is not None and user.city.country_id == record["country"]
        assert user.organisation is not None and user.organisation.slug == record["organisation"]


def test_demo_privileged_accounts_have_their_role_and_a_second_factor(loaded: DemoSummary) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

    for email, role in (
        (EDITOR_EMAIL, Role.EDITOR),
        (STAFF_EMAIL, Role.STAFF),
        (ADMIN_EMAIL, Role.ADMINISTRATOR),
    ):
        user = User.objects.get(email=email)
        assert user.role == role and user.is_staff
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        current = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
        assert TOTP(totp).validate_code(current)
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert User.objects.get(email=ADMIN_EMAIL).is_superuser
    member = User.objects.get(email=MEMBER_EMAIL)
    assert member.role == Role.MEMBER
    assert not Authenticator.objects.filter(user=member).exists()


def test_demo_published_practices_are_in_the_search_index(loaded: DemoSummary) -> None:
    from connective.practices.selectors import practice_search_index

    published = set(Practice.objects.filter(status=PracticeStatus.PUBLISHED).values_list("pk", flat=True))
    assert practice_search_index().ids() == published
    assert loaded.indexed == len(published)


def test_load_demo_again_changes_nothing(loaded: DemoSummary) -> None:
    from wagtail.images import get_image_model

    def counts() -> tuple[int, ...]:
        return (
            Practice.objects.count(),
            User.objects.count(),
            Organisation.objects.count(),
            City.objects.count(),
            get_image_model().objects.count(),
        )

    before = counts()
    assert load_demo().already_loaded
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert out.getvalue() == "Demo data already loaded.\n"
    assert counts() == before


def test_demo_logins_lists_every_account_and_the_setup_key(loaded: DemoSummary) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for email in (MEMBER_EMAIL, EDITOR_EMAIL, STAFF_EMAIL, ADMIN_EMAIL):
        assert email in text
    assert DEMO_PASSWORD in text
    assert DEMO_TOTP_SECRET in text


def test_demo_logins_code_prints_a_code_the_second_factor_accepts(loaded: DemoSummary) -> None:
    from allauth.mfa.totp.internal.auth import validate_totp_code

    out = StringIO()
    call_command("demo_logins", "--code", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert validate_totp_code(DEMO_TOTP_SECRET, code)


def test_city_resolver_finds_spellings_geonames_writes_differently(loaded: DemoSummary) -> None:
    resolver = CityResolver()
    bogota = resolver.resolve("Bogota", "CO")
    assert bogota is not None and bogota.name == "Bogotá"
    saigon = resolver.resolve("Saigon", "VN")
    assert saigon is not None and saigon.name == "Ho Chi Minh City"
    assert resolver.resolve("Atlantis", "GR") is None


def test_check_demo_data_names_the_record_and_field_of_each_problem(loaded: DemoSummary) -> None:
    organisations, people, practices = read_demo_json()
    practices[0] = {**practices[0], "city": "Atlantis", "topics": ["no-such-topic"]}
    practices[1] = {**practices[1], "related": [{"to": "missing-practice", "kind": "related"}]}
    with pytest.raises(DemoDataError) as raised:
        check_demo_data(organisations, people, practices)
    first, second = practices[0]["slug"], practices[1]["slug"]
    assert raised.value.problems == [
        f"practices.json {first!r}: city 'Atlantis' is not in GeoNames for {practices[0]['country']}",
        f"practices.json {first!r}: topics has unknown topic 'no-such-topic'",
        f"practices.json {second!r}: related points to 'missing-practice', which is not another practice",
    ]


def test_read_demo_json_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DemoDataError) as raised:
        read_demo_json(tmp_path)
    assert raised.value.problems[0].startswith(f"{tmp_path / 'organisations.json'}: cannot be read")


def test_demo_is_encoded_for_matching_by_meaning(loaded: DemoSummary) -> None:
    from connective.practices.selectors import practice_search, practice_vector_index
    from connective.search.sources import vector_domains, vector_source
    from connective.search.vectors import VectorIndex

    assert loaded.encoded > len(PRACTICES_JSON)
    for domain in vector_domains():
        wanted = {int(i) for i in vector_source(domain).ids()}
        if domain == "person_public":
            # Members-only profiles are among the candidates but have no public document.
            assert VectorIndex(domain).ids() <= wanted
        else:
            assert VectorIndex(domain).ids() == wanted, domain
    assert len(practice_vector_index().ids()) == len(PRACTICES_JSON)
    # Spanish words find the flood warning systems of Cotonou and Saxony, written in French and German.
    found = practice_search(query={"q": "alerta temprana de inundaciones"}, page_size=2)
    assert {practice.title for practice in found.items} == {
        "Système d'alerte précoce aux inondations dans les quartiers bas de Cotonou",
        "Hochwasser-Frühwarnsystem für kleine Fließgewässer",
    }
    assert f"{loaded.encoded} records encoded for matching by meaning" in loaded.describe()
