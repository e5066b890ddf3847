"""待办: work the system hands to a person, with a due date.

The robot opens one when it cannot finish by itself (an inquiry that failed for
good), the centre opens one when it sends an officer out (线下查询) or a
creditor brings an asset lead to check. A task is never deleted: it is done
(with its result) or still open, so nothing is silently dropped."""

from django.db import models

from zhixing.cases.models import EnforcementCase
from zhixing.courts.models import Court, Officer, Team


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
