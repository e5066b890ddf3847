"""The case accounts (一案一账号): a double-entry ledger, append-only.

Each row moves an amount in fen from its credit account to its debit account
(the account that receives is debited, as in any ledger). Balances are sums,
never stored. Corrections are reversing rows."""

from django.db import models

from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.courts.models import Court


class LedgerEntry(models.Model):
    class Account(models.TextChoices):
        DEBTOR = "debtor", "被执行人"  # money paid by or taken from the debtor
        CASE = "case", "案款账户"  # the case's sub-account in the court's custody
        CREDITOR = "creditor", "申请执行人"  # money that reached the creditor

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "执行款到账"  # credit debtor, debit case
        DIRECT = "direct", "被执行人直接履行"  # credit debtor, debit creditor (outside the court)
        DISBURSEMENT = "disbursement", "案款发放"  # credit case, debit creditor

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="ledger")
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    debit = models.CharField("借方", max_length=16, choices=Account.choices)
    credit = models.CharField("贷方", max_length=16, choices=Account.choices)
    amount = models.BigIntegerField("金额（分）")
    posted_at = models.DateTimeField("记账时间")
    reference = models.CharField("流水号", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案款分录"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=~models.Q(debit=models.F("credit")), name="ledger_two_accounts"),
            models.UniqueConstraint(
                fields=["court", "reference"], condition=~models.Q(reference=""), name="ledger_reference_once"
            ),
        ]
