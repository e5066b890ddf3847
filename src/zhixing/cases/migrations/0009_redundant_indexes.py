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
        ('cases', '0008_event_kind_terms'),
        ('courts', '0003_funds_settings_vice_president'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='caseevent',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='cases.enforcementcase'),
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='court',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='courts.court'),
                ),
                migrations.AlterField(
                    model_name='caseparty',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='case_parties', to='cases.enforcementcase'),
                ),
                migrations.AlterField(
                    model_name='caseparty',
                    name='court',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='courts.court'),
                ),
                migrations.AlterField(
                    model_name='caseparty',
                    name='party',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='case_roles', to='cases.party'),
                ),
                migrations.AlterField(
                    model_name='enforcementcase',
                    name='court',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='courts.court'),
                ),
                migrations.AlterField(
                    model_name='enforcementcase',
                    name='handler',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='courts.officer'),
                ),
                migrations.AlterField(
                    model_name='milestone',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='milestones', to='cases.enforcementcase'),
                ),
                migrations.AlterField(
                    model_name='milestone',
                    name='court',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='courts.court'),
                ),
                migrations.AlterField(
                    model_name='party',
                    name='court',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='courts.court'),
                ),
            ],
            database_operations=[fk_indexes_drop("cases", [("caseevent", "case"), ("caseevent", "court"), ("caseparty", "case"), ("caseparty", "court"), ("caseparty", "party"), ("enforcementcase", "court"), ("enforcementcase", "handler"), ("milestone", "case"), ("milestone", "court"), ("party", "court")])],
        ),
    ]
