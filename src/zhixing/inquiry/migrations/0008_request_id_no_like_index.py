"""PostgreSQL: the request id loses the second index Django gives every unique
CharField there (varchar_pattern_ops, for LIKE 'abc%' queries, which nothing
runs on request ids). The unique index stays; the requests table, eight rows
a case, has one index less to write per row. Django drops such an index with
IF EXISTS when the field changes, so the model stays as it is."""

from django.db import migrations


def _like_indexes(schema_editor, table: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, "%(request_id varchar_pattern_ops)%"],
        )
        return [row[0] for row in cursor.fetchall()]


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("inquiry", "InquiryRequest")._meta.db_table
    for name in _like_indexes(schema_editor, table):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("inquiry", "InquiryRequest")
    if not _like_indexes(schema_editor, model._meta.db_table):
        schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field("request_id")))


class Migration(migrations.Migration):

    dependencies = [
        ('inquiry', '0007_requests_answered_in_place'),
    ]

    operations = [
        migrations.RunPython(drop, create),
    ]
