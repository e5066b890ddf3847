"""Network asset inquiries (网络查控) and the assets they found."""

from django.db import models

from zhixing.cases.models import EnforcementCase, Party
from zhixing.courts.models import Court
from zhixing.rules.assets import ASSET_KINDS


class Inquiry(models.Model):
    """One network inquiry of one case's debtors through one provider."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="inquiries")
    provider = models.CharField("查询通道", max_length=32)
    kinds = models.JSONField("查询项目", default=list)
    started_at = models.DateTimeField("发起时间")
    finished_at = models.DateTimeField("反馈时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网络查控"
        indexes = [models.Index(fields=["court", "finished_at"])]


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
