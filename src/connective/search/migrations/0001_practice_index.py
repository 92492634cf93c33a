"""The full-text index of published practices: an FTS5 table on SQLite, a tsvector table on PostgreSQL."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from connective.search.index import create_index_table, drop_index_table


def create(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    create_index_table(schema_editor, "practice")


def drop(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    drop_index_table(schema_editor, "practice")


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
