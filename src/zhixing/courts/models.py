"""Courts, their teams and officers, API tokens and the court's calendar table."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

from zhixing.rules.triage import TEAM_LABELS


class Court(models.Model):
    code = models.CharField("法院代字", max_length=8, unique=True)  # e.g. 鄂0105
    name = models.CharField("法院名称", max_length=64)
    account_prefix = models.CharField("案款账号前缀", max_length=24, default="")
    # Deadlines a court sets stricter than the defaults of rules/deadlines.py:
    # {"notice_sent": 3, ...} (kind -> amount in the rule's unit).
    deadline_overrides = models.JSONField("期限设置", default=dict, blank=True)
    # The court's own weights of open cases by stage, over rules/workload.py's
    # defaults: {"working": 5, ...} (stage -> weight).
    workload_weights = models.JSONField("办案负荷权重", default=dict, blank=True)
    # Case-account settings over rules/payouts.py's defaults: approval tiers,
    # days to pay out and to claim, the fee base, the custody account's own
    # number and bank (see funds/settings.py).
    funds_settings = models.JSONField("案款设置", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "法院"

    def __str__(self):
        return self.name


class Team(models.Model):
    class Kind(models.TextChoices):
        ONE_SHOT = "one_shot", TEAM_LABELS["one_shot"]
        SIMPLE = "simple", TEAM_LABELS["simple"]
        DISPOSAL = "disposal", TEAM_LABELS["disposal"]
        IMPLEMENTATION = "implementation", TEAM_LABELS["implementation"]
        LIBRARY = "library", TEAM_LABELS["library"]
        ADJUDICATION = "adjudication", TEAM_LABELS["adjudication"]

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="teams")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=32)
    # A soft limit: open cases the team can carry. Shown on the team's page;
    # dispatch prefers members still under their share of it. Null: no limit.
    capacity = models.PositiveIntegerField("承载能力（在办案件数）", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "团队"
        constraints = [models.UniqueConstraint(fields=["court", "kind"], name="one_team_per_kind")]

    def __str__(self):
        return self.name


class Officer(models.Model):
    class Role(models.TextChoices):
        CENTRE = "centre", "指挥中心干警"
        HANDLER = "handler", "承办人"
        ASSISTANT = "assistant", "法官助理"
        CLERK = "clerk", "书记员"
        FINANCE = "finance", "财务"
        DIRECTOR = "director", "执行局长"
        VICE_PRESIDENT = "vice_president", "分管副院长"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="officers")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="officers")
    role = models.CharField("岗位", max_length=16, choices=Role.choices)
    name = models.CharField("姓名", max_length=32)
    # 团队负责人: reassigns the team's cases and records its members' absences.
    is_leader = models.BooleanField("团队负责人", default=False)
    # Share of the team's capacity, in percent of a full share (a leader who
    # also manages may carry 50).
    weight = models.PositiveSmallIntegerField("办案份额（%）", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "干警"

    def __str__(self):
        return self.name


class Absence(models.Model):
    """An officer away from start_on to end_on, both days included. Dispatch
    and hand-offs skip an officer an absence covers on the day."""

    class Reason(models.TextChoices):
        LEAVE = "leave", "休假"
        SICK = "sick", "病假"
        TRAINING = "training", "培训"
        TRIP = "trip", "出差"
        OTHER = "other", "其他"

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="absences")
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=16, choices=Reason.choices)
    note = models.CharField("说明", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "干警不在岗登记"
        ordering = ["start_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="absence_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["court", "end_on", "start_on"])]

    def __str__(self):
        return f"{self.officer}{self.get_reason_display()}（{self.start_on}至{self.end_on}）"


class ApiToken(models.Model):
    """A bearer token for other court systems; only its hash is kept."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "zx_" + secrets.token_urlsafe(32)


class CalendarDay(models.Model):
    """A court-editable row of the working-day calendar for years the package
    does not know yet (the State Council publishes each year's schedule late
    in the year before). A year with any row here counts as known."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="calendar_days")
    day = models.DateField("日期")
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=32, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日调整"
        constraints = [models.UniqueConstraint(fields=["court", "day"], name="one_row_per_day")]
