"""待办: work the system hands to a person, with a due date.

The robot opens one when it cannot finish by itself (an inquiry that failed for
good), the centre opens one when it sends an officer out (线下查询) or a
creditor brings an asset lead to check. A task is never deleted: it is done
(with its result) or still open, so nothing is silently dropped."""

from django.db import models

from zhixing.cases.models import EnforcementCase, Party
from zhixing.courts.models import Court, Officer, Team
from zhixing.inquiry.models import Asset
from zhixing.rules.assets import ASSET_KINDS


class Task(models.Model):
    class Kind(models.TextChoices):
        INQUIRY_FAILED = "inquiry_failed", "网络查控失败"
        FIELD_INQUIRY = "field_inquiry", "线下查询"
        LEAD_CHECK = "lead_check", "核查财产线索"

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(
        EnforcementCase, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    # Idempotency: opening the same task twice (a robot pass run again after a
    # crash, a double click) finds the first one. E.g. "inquiry_failed:17:deposit:1".
    key = models.CharField("唯一标识", max_length=120)
    title = models.CharField("事项", max_length=200)  # Chinese, one line, for the board
    detail = models.TextField("说明", blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True)
    assignee = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )  # None: the command centre's queue
    due_on = models.DateField("期限", null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # None: the robot
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.TextField("办理结果", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待办事项"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["court", "key"], name="one_task_per_key")]
        indexes = [models.Index(fields=["court", "done_at", "due_on"])]

    def __str__(self):
        return self.title


class Lead(models.Model):
    """财产线索: an asset lead a creditor brought, to be checked within 7 days
    (3 if urgent) of its report (财产调查规定第二条; rules.deadlines.lead_check_due).
    Its check is a lead_check Task; what the check found becomes an Asset
    with source "lead"."""

    Kind = models.TextChoices("Kind", [(k, (k, v)) for k, v in ASSET_KINDS.items()])

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="leads")
    reported_on = models.DateField("提供日期")
    # The creditor party who brought it, or who else (free text: 代理律师 …).
    reported_by_party = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_by_text = models.CharField("提供人", max_length=64, blank=True)
    kind = models.CharField("财产类型", max_length=16, choices=Kind.choices)
    description = models.TextField("线索内容")
    urgent = models.BooleanField("情况紧急", default=False)
    due_on = models.DateField("核查期限")
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="lead")
    checked_on = models.DateField("核查日期", null=True, blank=True)
    checked_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.TextField("核查结果", blank=True)
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # what the check found, if anything
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "财产线索"
        ordering = ["reported_on", "id"]
        indexes = [models.Index(fields=["court", "checked_on", "due_on"])]

    @property
    def reported_by(self) -> str:
        return self.reported_by_party.name if self.reported_by_party_id else self.reported_by_text


class Digest(models.Model):
    """每日提醒: what one officer had overdue, due within 3 days and newly
    assigned on one day. One row per officer per day, so sending twice sends once."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="digests")
    day = models.DateField("日期")
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    data = models.JSONField(default=dict, blank=True)  # counts, for the page and audit
    created_at = models.DateTimeField("生成时间")
    emailed_to = models.CharField("发送邮箱", max_length=254, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "每日提醒"
        ordering = ["-day", "id"]
        constraints = [models.UniqueConstraint(fields=["officer", "day"], name="one_digest_per_day")]
