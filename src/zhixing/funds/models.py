"""The case accounts (一案一账号): a double-entry ledger, append-only, plus the
paper around it (bank statements, disbursement plans, approvals, payment files,
notices to creditors).

Each LedgerEntry debits one account and credits another by the same amount in
fen. The court's custody bank account (案款专户) is an asset; what it holds is
owed to cases (one liability account per case) or waits unclaimed (待认领款):

    receipt       Dr custody    Cr case        money arrived for a known case
    unmatched     Dr custody    Cr unclaimed   money arrived, case not yet known
    claim         Dr unclaimed  Cr case        the unclaimed money claimed to a case
    disbursement  Dr case       Cr custody     paid out to a creditor
    fee           Dr case       Cr custody     enforcement fee paid over to the court's fee account
    refund        Dr case       Cr custody     surplus returned to the debtor
    returned      Dr unclaimed  Cr custody     unclaimed money sent back to its payer
    direct        Dr creditor   Cr debtor      the debtor paid the creditor outside the court

So custody = Σ case accounts + unclaimed, always. Balances are sums of rows,
never stored. A reference (bank serial, or a key the code derives) is booked
once per court: that is what makes re-imports and retries harmless."""

from django.db import models

from zhixing.cases.models import CaseEvent, EnforcementCase, Party
from zhixing.courts.models import Court, Officer


class LedgerEntry(models.Model):
    class Account(models.TextChoices):
        CUSTODY = "custody", "案款专户"
        CASE = "case", "案款子账户"
        UNCLAIMED = "unclaimed", "待认领款"
        DEBTOR = "debtor", "被执行人"
        CREDITOR = "creditor", "申请执行人"

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "执行款到账"
        UNMATCHED = "unmatched", "到账待认领"
        CLAIM = "claim", "认领到案"
        DISBURSEMENT = "disbursement", "案款发放"
        FEE = "fee", "收取申请执行费"
        REFUND = "refund", "退还被执行人"
        RETURNED = "returned", "退回付款人"
        DIRECT = "direct", "被执行人直接履行"

    # kind -> (debit, credit): the only pairs a row may have.
    PAIRS = {
        "receipt": ("custody", "case"),
        "unmatched": ("custody", "unclaimed"),
        "claim": ("unclaimed", "case"),
        "disbursement": ("case", "custody"),
        "fee": ("case", "custody"),
        "refund": ("case", "custody"),
        "returned": ("unclaimed", "custody"),
        "direct": ("creditor", "debtor"),
    }

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="ledger", null=True, blank=True)
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    debit = models.CharField("借方", max_length=16, choices=Account.choices)
    credit = models.CharField("贷方", max_length=16, choices=Account.choices)
    amount = models.BigIntegerField("金额（分）")
    posted_at = models.DateTimeField("记账时间")
    value_on = models.DateField("起息（到账/支付）日", null=True, blank=True)  # the day the money moved
    reference = models.CharField("流水号", max_length=64, blank=True)
    line = models.ForeignKey(
        "StatementLine", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )  # the bank statement line it books (arrivals, claims, returns)
    payout_line = models.ForeignKey(
        "PayoutLine", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )  # the disbursement line it pays

    class Meta:
        verbose_name = verbose_name_plural = "案款分录"
        indexes = [models.Index(fields=["court", "posted_at"]), models.Index(fields=["case", "kind"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=~models.Q(debit=models.F("credit")), name="ledger_two_accounts"),
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | ~(models.Q(debit="case") | models.Q(credit="case")),
                name="ledger_case_account_has_case",
            ),
            models.UniqueConstraint(
                fields=["court", "reference"], condition=~models.Q(reference=""), name="ledger_reference_once"
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("LedgerEntry is append-only")
        super().save(*args, **kwargs)


class StatementImport(models.Model):
    """One bank statement file as imported (CSV or Excel)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    mapping = models.CharField("格式", max_length=32)  # key of the column mapping used
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True)
    line_count = models.PositiveIntegerField("流水笔数", default=0)
    new_count = models.PositiveIntegerField("新入账笔数", default=0)
    first_on = models.DateField("起始日期", null=True, blank=True)
    last_on = models.DateField("截止日期", null=True, blank=True)
    closing_balance = models.BigIntegerField("期末余额（分）", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "银行对账单导入"
        ordering = ["-imported_at", "-id"]


class StatementLine(models.Model):
    """One line of the custody account's bank statement, kept once per bank
    serial however often it is imported."""

    class Direction(models.TextChoices):
        IN = "in", "收入"
        OUT = "out", "支出"

    class Match(models.TextChoices):
        NONE = "", "未匹配"
        SUB_ACCOUNT = "sub_account", "按子账号"
        CASE_NUMBER = "case_number", "按附言案号"
        PAYER = "payer", "按付款人"
        CLAIMED = "claimed", "人工认领"
        PAYMENT = "payment", "本院付款"
        RETURNED = "returned", "退回付款人"

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="lines")  # first seen in
    serial = models.CharField("银行流水号", max_length=64)
    booked_at = models.DateTimeField("交易时间")
    direction = models.CharField("收支", max_length=3, choices=Direction.choices)
    amount = models.BigIntegerField("金额（分）")
    counterparty_name = models.CharField("对方户名", max_length=128, blank=True)
    counterparty_account = models.CharField("对方账号", max_length=40, blank=True)
    sub_account = models.CharField("子账号", max_length=32, blank=True)
    remark = models.CharField("摘要/附言", max_length=200, blank=True)
    balance_after = models.BigIntegerField("余额（分）", null=True, blank=True)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    matched_how = models.CharField("匹配方式", max_length=16, choices=Match.choices, blank=True)
    claim_due_on = models.DateField("认领期限", null=True, blank=True)
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    claimed_by = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    claim_note = models.CharField("认领说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "银行流水"
        ordering = ["booked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["court", "serial"], name="statement_line_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="statement_amount_positive"),
        ]
        indexes = [models.Index(fields=["court", "matched_how", "direction"])]


class Payout(models.Model):
    """A disbursement plan (案款发放方案) for money held on a case account:
    the fee withheld, the creditors paid, the surplus refunded; approved by
    amount tiers, paid within the limit of rules.md §3."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已审批待支付"
        SUBMITTED = "submitted", "已出付款文件"
        PAID = "paid", "已支付"
        DEFERRED = "deferred", "暂缓发放"
        REJECTED = "rejected", "已退回"
        CANCELLED = "cancelled", "已撤销"

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="payouts")
    arrived_on = models.DateField("到账通知日")  # the payment limit runs from here
    due_on = models.DateField("发放期限")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default="pending")
    total = models.BigIntegerField("合计（分）")
    approvals_needed = models.JSONField("需审批岗位", default=list)  # roles, in order
    created_at = models.DateTimeField("拟定时间")
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    deferral_reason = models.TextField("暂缓理由", blank=True)
    deferred_until = models.DateField("暂缓至", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "案款发放方案"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["court", "status", "due_on"])]


class PayoutLine(models.Model):
    class Kind(models.TextChoices):
        FEE = "fee", "申请执行费"
        CREDITOR = "creditor", "发放申请执行人"
        REFUND = "refund", "退还被执行人"

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField("项目", max_length=16, choices=Kind.choices)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True)
    payee_name = models.CharField("收款人", max_length=128)
    payee_account = models.CharField("收款账号", max_length=40)
    payee_bank = models.CharField("开户行", max_length=100, blank=True)
    amount = models.BigIntegerField("金额（分）")
    position = models.PositiveSmallIntegerField(default=0)
    payment_file = models.ForeignKey("PaymentFile", on_delete=models.PROTECT, null=True, blank=True, related_name="lines")

    class Meta:
        verbose_name = verbose_name_plural = "发放明细"
        ordering = ["payout", "position"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_line_amount_positive")]


class Approval(models.Model):
    """One approver's decision on a plan or on its deferral."""

    class Purpose(models.TextChoices):
        PAYOUT = "payout", "发放审批"
        DEFERRAL = "deferral", "暂缓发放审批"

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="approvals")
    purpose = models.CharField("事项", max_length=16, choices=Purpose.choices)
    role = models.CharField("审批岗位", max_length=16)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField("同意")
    note = models.CharField("意见", max_length=200, blank=True)
    at = models.DateTimeField("审批时间")

    class Meta:
        verbose_name = verbose_name_plural = "案款审批"
        ordering = ["at", "id"]


class PaymentFile(models.Model):
    """A payment file handed to the bank (CSV): its lines are booked out of the
    case accounts when the file is made."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    name = models.CharField("文件名", max_length=100)
    created_at = models.DateTimeField("生成时间")
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    line_count = models.PositiveIntegerField("笔数")
    total = models.BigIntegerField("合计（分）")

    class Meta:
        verbose_name = verbose_name_plural = "付款文件"
        ordering = ["-created_at", "-id"]


class Notice(models.Model):
    """A message to a party (SMS outbox): sent by the gateway, kept here."""

    class Reason(models.TextChoices):
        ARRIVAL = "arrival", "执行款到账通知"
        PAYMENT = "payment", "案款发放通知"

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="notices")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.CharField("事由", max_length=16, choices=Reason.choices)
    phone = models.CharField("手机号", max_length=32, blank=True)
    text = models.TextField("内容")
    key = models.CharField(max_length=64)  # what it is about, so one event sends one notice
    created_at = models.DateTimeField("生成时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["court", "key"], name="notice_once")]


class Terms(models.Model):
    """What the title awards beyond the principal (amount_claimed), for the
    amount-due calculator (rules.md §10). Absent: principal only, doubled
    interest from the title's performance deadline."""

    case = models.OneToOneField(EnforcementCase, on_delete=models.CASCADE, related_name="terms")
    interest_awarded = models.BigIntegerField("判决确定的利息（分）", default=0)  # a fixed sum
    interest_rate = models.CharField("一般债务利息年利率", max_length=16, blank=True)  # e.g. "0.0385"
    interest_from = models.DateField("一般债务利息起算日", null=True, blank=True)
    instalments = models.JSONField("分期履行", default=list, blank=True)  # [{"amount": fen, "due_on": "YYYY-MM-DD"}]

    class Meta:
        verbose_name = verbose_name_plural = "给付内容"
