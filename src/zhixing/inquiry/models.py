"""Network asset inquiries (网络查控) and the assets they found."""

from django.db import models

from zhixing.cases.models import EnforcementCase, Party
from zhixing.courts.models import Court
from zhixing.rules.assets import ASSET_KINDS

KIND_CHOICES = [(k, v) for k, v in ASSET_KINDS.items()]


class Inquiry(models.Model):
    """One round of network inquiry of one case's debtors: one request per
    asset kind (InquiryRequest). It finishes, once, when every request is
    answered or has failed for good."""

    # No index of their own: (court, finished_at) and the unique (case, round) start with them.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, db_index=False)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="inquiries", db_index=False)
    round = models.PositiveSmallIntegerField("查询轮次", default=1)  # 1: the first inquiry (首次网络查控)
    provider = models.CharField("查询通道", max_length=32)
    kinds = models.JSONField("查询项目", default=list)
    # The kinds whose request failed for good (a task for a person instead):
    # what was found is still recorded, and triage may read which kinds are missing.
    failed_kinds = models.JSONField("查询失败项目", default=list, blank=True)
    started_at = models.DateTimeField("发起时间")
    finished_at = models.DateTimeField("反馈时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网络查控"
        indexes = [
            models.Index(fields=["court", "finished_at"]),
            # The robot looks for open inquiries on every pass: few among many.
            models.Index(fields=["id"], condition=models.Q(finished_at__isnull=True), name="inquiry_open"),
        ]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="one_inquiry_per_case_round")]


class InquiryRequest(models.Model):
    """One request to the network: one case's debtors, one asset kind, one
    round. `request_id` is fixed at creation and sent again unchanged on every
    retry, so the provider and the absorbing of answers can both deduplicate.

    queued → sent → answered, or back to queued (a failure, retried with
    backoff) until the attempts run out → failed (a task for a person)."""

    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENT = "sent", "已发送"
        ANSWERED = "answered", "已反馈"
        FAILED = "failed", "失败转人工"

    # Eight rows a case, written when sent and again when answered. No index
    # that no query needs (case is the unique constraint's prefix), and none on
    # a column an answer or a resend changes: open requests are found through
    # their open inquiry (inquiry_open), so PostgreSQL rewrites an answered
    # row in place on its page (a HOT update: no new entry in any index; the
    # table keeps half of each page free for it, migration 0007).
    court = models.ForeignKey(Court, on_delete=models.PROTECT, db_index=False)
    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="requests")
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField("财产类型", max_length=16, choices=KIND_CHOICES)
    round = models.PositiveSmallIntegerField("查询轮次")
    request_id = models.CharField("请求编号", max_length=64, unique=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.QUEUED)
    provider = models.CharField("查询通道", max_length=32, blank=True)  # the one it was last sent to
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    # queued: when to send; sent: when to send again if no answer has come.
    next_try_at = models.DateTimeField("下次发送时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)  # or: given up
    status = models.CharField("反馈结果", max_length=8, blank=True)  # found / none (the last answer)
    last_error = models.CharField("最近错误", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "查控请求"
        constraints = [models.UniqueConstraint(fields=["case", "kind", "round"], name="one_request_per_case_kind_round")]


class InquiryCursor(models.Model):
    """How far the answers of one provider have been read (polling): saved in
    the same transaction as the answers it covers, so none is skipped."""

    provider = models.CharField("查询通道", max_length=32, unique=True)
    cursor = models.CharField("读取位置", max_length=64, blank=True)
    updated_at = models.DateTimeField("更新时间")


class Asset(models.Model):
    Kind = models.TextChoices("Kind", [(k, (k, v)) for k, v in ASSET_KINDS.items()])

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="assets")
    class Source(models.TextChoices):
        NETWORK = "network", "网络查控"
        FIELD = "field", "线下查询"
        LEAD = "lead", "申请执行人线索"

    # The network inquiry that found it; None for what an officer found in
    # person (线下查询) or by checking a creditor's lead.
    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.PROTECT, related_name="assets", null=True, blank=True
    )
    source = models.CharField("来源", max_length=16, choices=Source.choices, default="network")
    debtor = models.ForeignKey(Party, on_delete=models.PROTECT)
    kind = models.CharField("财产类型", max_length=16, choices=Kind.choices)
    holder = models.CharField("协助单位", max_length=64)  # bank, registry, platform
    value = models.BigIntegerField("价值（分）")
    detail = models.CharField("说明", max_length=128, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "查得财产"
        constraints = [models.CheckConstraint(condition=models.Q(value__gte=0), name="asset_value_not_negative")]
