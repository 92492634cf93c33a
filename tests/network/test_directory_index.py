"""Keeping the directory's indexes in step: index_person, index_organisation, the tasks and the rebuild."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from connective.network.models import Visibility
from connective.network.search import (
    directory_reindex_all,
    index_organisation,
    index_person,
    organisation_search_index,
    person_search_index,
)
from connective.network.selectors import LEVEL_MEMBERS, LEVEL_PUBLIC
from connective.network.tasks import organisation_index, person_index
from tests.factories import OrganisationFactory
from tests.network.directory_fixtures import organisation, person

pytestmark = pytest.mark.django_db


def indexed_at(level: int) -> set[int]:
    return person_search_index(level).ids()


def test_index_person_writes_each_level_by_profile_visibility() -> None:
    public = person("Nadia", "Benali")
    members = person("Omar", "Haddad", visibility=Visibility.MEMBERS)
    hidden = person("Jana", "Weber", visibility=Visibility.HIDDEN)

    assert indexed_at(LEVEL_PUBLIC) == {public.pk}
    assert indexed_at(LEVEL_MEMBERS) == {public.pk, members.pk}
    assert hidden.pk not in indexed_at(LEVEL_MEMBERS)


def test_index_person_removes_a_profile_that_is_hidden_later() -> None:
    user = person("Nadia", "Benali")
    user.profile.visibility = Visibility.HIDDEN
    user.profile.save()

    assert index_person(user.pk) is False
    assert indexed_at(LEVEL_PUBLIC) == indexed_at(LEVEL_MEMBERS) == set()


def test_index_person_removes_deleted_and_deactivated_accounts() -> None:
    deleted = person("Nadia", "Benali")
    deactivated = person("Omar", "Haddad")
    deleted.deleted_at = timezone.now()
    deleted.save()
    deactivated.is_active = False
    deactivated.save()

    assert [index_person(deleted.pk), index_person(deactivated.pk)] == [False, False]
    assert indexed_at(LEVEL_MEMBERS) == set()


def test_index_person_of_an_unknown_user_removes_it() -> None:
    user = person("Nadia", "Benali")
    user_id = user.pk
    user.delete()

    assert index_person(user_id) is False
    assert indexed_at(LEVEL_MEMBERS) == set()


def test_public_index_never_holds_a_members_only_word() -> None:
    # A word of a members-only bio must not be in the public index at all, not just filtered out.
    person("Nadia", "Benali", bio="Zanzibar cholera survey.")

    assert person_search_index(LEVEL_PUBLIC).matching("zanzibar") == []
    assert person_search_index(LEVEL_MEMBERS).matching("zanzibar") != []


def test_person_index_task_indexes_the_person() -> None:
    user = person("Nadia", "Benali")
    person_search_index(LEVEL_PUBLIC).clear()

    assert person_index.call(user.pk) is True
    assert indexed_at(LEVEL_PUBLIC) == {user.pk}


def test_index_organisation_indexes_and_removes() -> None:
    found = organisation(name="Water utility", slug="utility")

    assert organisation_search_index().matching("utility") == [found.pk]
    found_id = found.pk
    found.delete()
    assert organisation_index.call(found_id) is False
    assert organisation_search_index().ids() == set()


def test_index_organisation_reindexes_its_people() -> None:
    utility = organisation(name="Water utility", slug="utility")
    user = person("Nadia", "Benali", organisation=utility)
    utility.name = "Aqua Regia"
    utility.save()

    assert index_organisation(utility.pk) is True
    assert person_search_index(LEVEL_PUBLIC).matching("aqua") == [user.pk]


def test_directory_reindex_all_rebuilds_every_index() -> None:
    person("Nadia", "Benali")
    person("Omar", "Haddad", visibility=Visibility.MEMBERS)
    person("Jana", "Weber", visibility=Visibility.HIDDEN)
    late = OrganisationFactory(name="Not indexed yet", slug="late")
    person_search_index(LEVEL_MEMBERS).clear()

    assert directory_reindex_all() == (2, 1)
    assert len(indexed_at(LEVEL_PUBLIC)) == 1
    assert len(indexed_at(LEVEL_MEMBERS)) == 2
    assert organisation_search_index().matching("indexed") == [late.pk]


def test_rebuild_directory_index_command_reports_counts() -> None:
    person("Nadia", "Benali")
    OrganisationFactory(name="Water utility", slug="utility")
    out = StringIO()

    call_command("rebuild_directory_index", stdout=out)

    assert out.getvalue() == "Indexed 1 people and 1 organisations.\n"


def test_directory_indexes_are_emptied_by_a_flush(transactional_db: Any) -> None:
    # Index tables are not models: without this, rows would outlive the people they point at between tests.
    person("Nadia", "Benali")
    organisation(name="Water utility", slug="utility")

    call_command("flush", interactive=False, verbosity=0)

    assert indexed_at(LEVEL_PUBLIC) == indexed_at(LEVEL_MEMBERS) == organisation_search_index().ids() == set()
