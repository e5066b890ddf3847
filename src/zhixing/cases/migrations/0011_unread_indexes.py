"""Foreign keys no query reads by lose their own index: the case's title,
home team, home handler and triage rule set, and the event's actor. Only
deleting a title, team, officer or rule set would read them, which the
court never does (they stay for the record). A case's indexes are all
written on every insert and every move of its state (the robot moves each
case three times), an event's on each of the five or so a case gets on its
way: each unread index was pure cost. The state changes; the database drops
the indexes in place (no table rebuild on SQLite, which would also drop the
append-only trigger on events)."""

import django.db.models.deletion
from django.db import migrations, models

from zhixing.migration_ops import fk_indexes_drop


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_triage_in_event'),
        ('centre', '0002_ruleset_activation'),
        ('courts', '0003_funds_settings_vice_president'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='enforcementcase',
                    name='title',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='cases.enforceabletitle'),
                ),
                migrations.AlterField(
                    model_name='enforcementcase',
                    name='home_team',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='courts.team'),
                ),
                migrations.AlterField(
                    model_name='enforcementcase',
                    name='home_handler',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='courts.officer'),
                ),
                migrations.AlterField(
                    model_name='enforcementcase',
                    name='triage_ruleset',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='centre.triageruleset'),
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='courts.officer'),
                ),
            ],
            database_operations=[fk_indexes_drop("cases", [("enforcementcase", "title"), ("enforcementcase", "home_team"), ("enforcementcase", "home_handler"), ("enforcementcase", "triage_ruleset"), ("caseevent", "actor")])],
        ),
    ]
