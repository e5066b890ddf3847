"""Foreign keys whose own index repeats the first column of a composite or
unique index lose it: one index less to write for every row (events,
milestones, case parties, cases, inquiries are written by the hundred
thousand). The state changes; the database drops the index in place
(no table rebuild on SQLite, which would drop the append-only trigger)."""

import django.db.models.deletion
from django.db import migrations, models

from zhixing.migration_ops import fk_indexes_drop


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_redundant_indexes'),
        ('courts', '0003_funds_settings_vice_president'),
        ('inquiry', '0005_request_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='inquiry',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='inquiries', to='cases.enforcementcase'),
                ),
                migrations.AlterField(
                    model_name='inquiry',
                    name='court',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='courts.court'),
                ),
            ],
            database_operations=[fk_indexes_drop("inquiry", [("inquiry", "case"), ("inquiry", "court")])],
        ),
    ]
