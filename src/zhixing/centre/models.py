"""The command centre's data: the triage rule set, versioned."""

from auditlog.registry import auditlog
from django.db import models

from zhixing.courts.models import Court, Officer


class TriageRuleSet(models.Model):
    """繁简分流 rules (rules.md §14) are the bureau's policy, so they are data.
    A change is a new version: a draft until the director activates it, then
    frozen, because each case stores the version that decided it. Exactly one
    version per court is active (the robot triages with it); an older version
    may be activated again, which is how a change is rolled back."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    version = models.PositiveIntegerField("版本")
    rules = models.JSONField("规则")
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("生效中", default=False)
    # The last activation; null while a draft (a draft's rules may still change).
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    activated_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "分流规则"
        constraints = [
            models.UniqueConstraint(fields=["court", "version"], name="one_ruleset_per_version"),
            models.UniqueConstraint(
                fields=["court"], condition=models.Q(is_active=True), name="one_active_ruleset_per_court"
            ),
        ]

    def __str__(self):
        return f"分流规则第{self.version}版"

    @property
    def is_draft(self) -> bool:
        return self.activated_at is None


auditlog.register(TriageRuleSet)
