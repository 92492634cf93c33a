"""GET /api/v1/matches/: the caller's matches, the same as the "matches for you" page, for members only."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.test import Client

from connective.network.models import Profile
from connective.search.vectors import forget_vector_tables
from tests.factories import UserFactory
from tests.network.test_matches import World, build_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/matches/"


@pytest.fixture
def world() -> World:
    return build_world()


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def get_matches(user: Any, **headers: Any) -> dict[str, Any]:
    response = client_for(user).get(URL, **headers)
    assert response.status_code == 200
    return dict(response.json())


def slugs(body: dict[str, Any], kind: str, key: str) -> list[str]:
    return [item[key]["slug"] for item in body[kind]]


def test_matches_api_refuses_a_visitor(world: World) -> None:
    response = client_for(None).get(URL)

    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_matches_api_gives_the_spanish_flood_practice_first_with_why(world: World) -> None:
    body = get_matches(world.member)

    flood = world.practices["flood_es"]
    first = body["practices"][0]
    assert (body["needs_profile"], body["by_meaning"]) == (False, True)
    assert first["practice"]["slug"] == flood.slug
    assert first["practice"]["url"] == f"http://testserver{flood.get_absolute_url()}"
    assert first["practice"]["api_url"] == f"http://testserver/api/v1/practices/{flood.slug}/"
    assert (first["language"], first["language_name"], first["shared_topics"]) == (
        "es",
        "Spanish",
        ["Climate adaptation"],
    )
    assert first["passage"] in {flood.summary, flood.challenge, flood.objectives, flood.solution}
    assert world.practices["budget_pt"].slug not in slugs(body, "practices", "practice")
    assert world.practices["draft_fr"].slug not in slugs(body, "practices", "practice")


def test_matches_api_never_shows_a_secret_group_nor_the_callers_own(world: World) -> None:
    response = client_for(world.member).get(URL)

    body = response.json()
    assert slugs(body, "groups", "group")[0] == world.groups["flood_es"].slug
    assert world.groups["own_en"].slug not in slugs(body, "groups", "group")
    secret = world.groups["secret_de"]
    assert secret.slug not in response.content.decode()
    assert secret.name not in response.content.decode()


def test_matches_api_never_matches_the_caller_with_themself(world: World) -> None:
    body = get_matches(world.member)

    people = slugs(body, "people", "person")
    own = Profile.objects.get(user=world.member).slug
    hidden = Profile.objects.get(user=world.people["hidden"]).slug
    assert people[0] == Profile.objects.get(user=world.people["engineer"]).slug
    assert own not in people
    assert hidden not in people
    # What the caller may see of the person, as the people endpoints show it: no e-mail address.
    assert "email" not in body["people"][0]["person"]


def test_matches_api_names_topics_in_the_language_asked_for(world: World) -> None:
    body = get_matches(world.member, HTTP_ACCEPT_LANGUAGE="de")

    assert body["practices"][0]["shared_topics"] == ["Klimaanpassung"]


def test_matches_api_asks_for_a_profile_when_there_is_none(world: World) -> None:
    body = get_matches(UserFactory())

    assert body == {
        "needs_profile": True,
        "by_meaning": False,
        "profile_url": "http://testserver/en/profile/edit/",
        "practices": [],
        "people": [],
        "groups": [],
    }


def test_matches_api_without_an_encoder_matches_by_shared_topics(world: World, settings: Any) -> None:
    settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()

    body = get_matches(world.member)

    assert body["by_meaning"] is False
    assert slugs(body, "practices", "practice") == [world.practices["flood_es"].slug]
    assert [item["shared_topics"] for item in body["practices"]] == [["Climate adaptation"]]
    assert [item["passage"] for item in body["practices"]] == [""]
    assert slugs(body, "groups", "group") == [world.groups["flood_es"].slug]
    assert slugs(body, "people", "person") == [Profile.objects.get(user=world.people["engineer"]).slug]


def test_matches_api_reads_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.member)

    # The matches (23 with cold vector tables) and the session and its user.
    with django_assert_max_num_queries(25):
        response = client.get(URL)

    assert response.status_code == 200


def test_matches_api_is_in_the_schema(world: World) -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)

    operation = schema["paths"]["/api/v1/matches/"]["get"]
    assert set(operation["responses"]) == {"200", "403"}
    # One object, not a list of them.
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Matches"}
    assert set(schema["components"]["schemas"]["Matches"]["properties"]) == {
        "needs_profile",
        "by_meaning",
        "profile_url",
        "practices",
        "people",
        "groups",
    }
