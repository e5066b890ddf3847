"""Answering a request changes no indexed column: the (state, next_try_at)
index goes (open requests are found through their open inquiry), and on
PostgreSQL the requests table keeps half of each page free, so the answered
row is rewritten on its own page (a HOT update) instead of getting a new
entry in each of the table's four indexes. Eight such updates a case were
the largest single cost of the inquiry step."""

from django.db import migrations

FILLFACTOR = 50


def _fillfactor(value):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite has no such setting (and rewrites a page per update anyway)
        table = apps.get_model("inquiry", "InquiryRequest")._meta.db_table
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} SET (fillfactor = {int(value)})")

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('inquiry', '0006_redundant_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='inquiryrequest',
            name='inquiry_inq_state_126459_idx',
        ),
        migrations.RunPython(_fillfactor(FILLFACTOR), _fillfactor(100)),
    ]
