"""For migrations: drop a foreign key's own single-column index (one that a
composite or unique index starting with the column already covers, or one
no query reads) without the table rebuild SQLite's AlterField would do — a
rebuild copies every row and drops the table's triggers (the append-only
ones on case events)."""

from __future__ import annotations

from django.db import migrations


def _single_column_indexes(schema_editor, table: str, column: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return sorted(
        name for name, c in constraints.items()
        if c.get("index") and not c.get("unique") and not c.get("primary_key") and c.get("columns") == [column]
    )


def fk_indexes_drop(app_label: str, fields: list[tuple[str, str]]):
    """A RunPython pair: drop (forward) or recreate (backward) the own index of
    each (model, field)."""

    def forward(apps, schema_editor):
        for model_name, field_name in fields:
            model = apps.get_model(app_label, model_name)
            column = model._meta.get_field(field_name).column
            for name in _single_column_indexes(schema_editor, model._meta.db_table, column):
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    def backward(apps, schema_editor):
        for model_name, field_name in fields:
            model = apps.get_model(app_label, model_name)
            field = model._meta.get_field(field_name)
            if not _single_column_indexes(schema_editor, model._meta.db_table, field.column):
                schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.RunPython(forward, backward)
