"""Case events and ledger rows are append-only: the database refuses updates,
on SQLite and PostgreSQL alike. (Deletes are left to PROTECT foreign keys and
to the code, which has no delete path: a delete trigger would also stop the
test runner's flush between tests.)"""

from django.db import migrations

TABLES = ["cases_caseevent", "funds_ledgerentry"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for op in ["UPDATE"]:
            name = f"{table}_no_{op.lower()}"
            if vendor == "sqlite":
                schema_editor.execute(
                    f"CREATE TRIGGER {name} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
            elif vendor == "postgresql":
                schema_editor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ "
                    f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql"
                )
                schema_editor.execute(
                    f"CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for op in ["UPDATE"]:
            name = f"{table}_no_{op.lower()}"
            if vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("funds", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
