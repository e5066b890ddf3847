"""The command centre's data: the triage rule set, versioned."""

from django.db import models

from zhixing.courts.models import Court, Officer


class TriageRuleSet(models.Model):
    """繁简分流 rules (rules.md §14) are the bureau's policy, so they are data.
    A change is a new version; each case stores the version that decided it."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    version = models.PositiveIntegerField("版本")
    rules = models.JSONField("规则")
    created_at = models.DateTimeField("生效时间")
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分流规则"
        constraints = [models.UniqueConstraint(fields=["court", "version"], name="one_ruleset_per_version")]

    def __str__(self):
        return f"分流规则第{self.version}版"
