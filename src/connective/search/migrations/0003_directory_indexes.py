"""The full-text indexes of the directory: people at each viewer level, and organisations."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from connective.search.index import create_index_table, drop_index_table

DOMAINS = ("person_public", "person_member", "organisation")


def create(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for domain in DOMAINS:
        create_index_table(schema_editor, domain)


def drop(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for domain in DOMAINS:
        drop_index_table(schema_editor, domain)


class Migration(migrations.Migration):
    dependencies = [("connective_search", "0002_index_version")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
