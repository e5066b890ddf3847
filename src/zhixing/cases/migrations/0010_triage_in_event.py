"""The triage reason and facts leave the case row: the `triaged` event has
held them from the start (the reason in its detail, the facts in its data),
and EnforcementCase.triage_reason / triage_facts read them from there."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_redundant_indexes'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='enforcementcase',
            name='triage_facts',
        ),
        migrations.RemoveField(
            model_name='enforcementcase',
            name='triage_reason',
        ),
    ]
