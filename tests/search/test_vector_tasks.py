"""Vectors are written in the background after a change, and written again for a new model."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from connective.groups.models import Group
from connective.practices.models import PracticeStatus
from connective.practices.tasks import practice_index
from connective.search.embeddings import encoder
from connective.search.models import Vector
from connective.search.tasks import vectors_index, vectors_refresh_domain
from connective.search.vectors import VectorIndex, forget_vector_tables
from tests.factories import GroupFactory, PracticeFactory

pytestmark = pytest.mark.django_db

FLOODS = {
    "title": "Hochwasser-Frühwarnsystem für die Elbauen",
    "summary": "Die Stadt warnt Anwohner per SMS und Sirene, sobald die Pegel der Elbe steigen.",
    "language": "de",
}


def _model_name() -> str:
    model = encoder()
    assert model is not None
    return model.name


def test_practice_index_task_stores_vectors_of_a_published_practice() -> None:
    practice = PracticeFactory(**FLOODS)
    assert practice_index.call(practice.pk) is True
    parts = list(Vector.objects.filter(domain="practice", record_id=practice.pk).values_list("part", "model"))
    assert parts[0] == (0, _model_name())
    assert len(parts) >= 2
    found = VectorIndex("practice").search("alerta de inundaciones")
    assert found is not None and found.best(limit=1)[0].id == practice.pk


def test_practice_index_task_drops_vectors_of_an_unpublished_practice() -> None:
    practice = PracticeFactory(**FLOODS)
    practice_index.call(practice.pk)
    practice.status = PracticeStatus.DRAFT
    practice.save()
    assert practice_index.call(practice.pk) is False
    assert not Vector.objects.filter(domain="practice", record_id=practice.pk).exists()


def test_saving_a_group_encodes_it_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        group = GroupFactory(name="Hitze in der Stadt", summary="Bäume pflanzen gegen Hitzeinseln.")
    row = Vector.objects.get(domain="group", record_id=group.pk, part=0)
    assert row.model == _model_name()
    found = VectorIndex("group").search("islas de calor urbanas")
    assert found is not None and found.best(limit=1)[0].id == group.pk


def test_saving_a_group_count_does_not_enqueue_encoding(django_capture_on_commit_callbacks: Any) -> None:
    group = GroupFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Group.objects.get(pk=group.pk).save(update_fields=["member_count"])
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        group.summary = "New words"
        group.save(update_fields=["summary"])
    assert len(callbacks) == 1


def test_deleting_a_group_drops_its_vectors(django_capture_on_commit_callbacks: Any) -> None:
    group = GroupFactory()
    vectors_index.call("group", group.pk)
    assert Vector.objects.filter(domain="group", record_id=group.pk).exists()
    group_id = group.pk
    with django_capture_on_commit_callbacks(execute=True):
        group.delete()
    assert not Vector.objects.filter(domain="group", record_id=group_id).exists()


def test_vectors_of_another_model_are_ignored_and_encoded_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    practice = PracticeFactory(**FLOODS)
    practice_index.call(practice.pk)
    Vector.objects.filter(domain="practice").update(model="use-m3/0.1.0")
    VectorIndex("practice").mark_changed()
    forget_vector_tables()
    # Loading the table leaves the old vectors out and asks for a refresh in the background.
    with django_capture_on_commit_callbacks(execute=True):
        table = VectorIndex("practice").table()
    assert table is not None
    assert table.size == 0
    assert set(Vector.objects.filter(domain="practice").values_list("model", flat=True)) == {_model_name()}
    assert VectorIndex("practice").table().size == 1  # type: ignore[union-attr]


def test_refresh_encodes_missing_and_drops_records_no_longer_found() -> None:
    kept = PracticeFactory(**FLOODS)
    gone = PracticeFactory(title="Solar roofs", summary="Panels on schools.")
    practice_index.call(gone.pk)
    gone.status = PracticeStatus.DRAFT
    gone.save()
    done = vectors_refresh_domain("practice")
    assert (done.encoded, done.removed) == (1, 1)
    assert VectorIndex("practice").ids() == {kept.pk}
    assert vectors_refresh_domain("practice").encoded == 0


def test_vectors_command_reports_refreshes_and_rebuilds() -> None:
    practice = PracticeFactory(**FLOODS)
    out = StringIO()
    call_command("vectors", "--domain", "practice", stdout=out)
    assert f"practice: 0 of 1 records have vectors of {_model_name()}" in out.getvalue()
    out = StringIO()
    call_command("vectors", "--domain", "practice", "--refresh", stdout=out)
    assert "practice: 1 encoded, 0 removed" in out.getvalue()
    assert f"practice: 1 of 1 records have vectors of {_model_name()}" in out.getvalue()
    out = StringIO()
    call_command("vectors", "--domain", "practice", "--rebuild", stdout=out)
    assert "practice: 1 encoded, 0 removed" in out.getvalue()
    assert VectorIndex("practice").ids() == {practice.pk}


def test_vectors_command_refuses_unknown_domain_and_missing_model(settings: Any) -> None:
    with pytest.raises(CommandError, match="Unknown domain: nothing"):
        call_command("vectors", "--domain", "nothing")
    settings.SEMANTIC_ENCODER = "off"
    with pytest.raises(CommandError, match="Matching by meaning is off"):
        call_command("vectors")


def test_index_without_model_stores_nothing_and_search_has_no_scores(settings: Any) -> None:
    settings.SEMANTIC_ENCODER = "off"
    practice = PracticeFactory(**FLOODS)
    assert practice_index.call(practice.pk) is True
    assert not Vector.objects.exists()
    assert VectorIndex("practice").search("inundaciones") is None
