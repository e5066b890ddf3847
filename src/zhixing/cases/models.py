"""Parties, enforceable titles, enforcement cases, their events and milestones.

Every row carries its court. State changes go through cases.services only.
"""

from django.db import models

from zhixing.courts.models import Court, Officer, Team
from zhixing.rules.case_number import TYPE_CODES
from zhixing.rules.deadlines import DEFAULT_MILESTONES
from zhixing.rules.measures import EXCLUDED_PERIOD_KINDS
from zhixing.rules.states import CLOSING_MODES, STATES


class Party(models.Model):
    """One row per real party, however many cases it is in (keyed by id_code)."""

    class Kind(models.TextChoices):
        PERSON = "person", "自然人"
        COMPANY = "company", "法人"
        ORGANISATION = "organisation", "非法人组织"

    # No index of its own: (court, id_code)'s unique index starts with it.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, db_index=False)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=128)
    # 公民身份号码 for a person, 统一社会信用代码 for a company or organisation.
    id_code = models.CharField("证件号码", max_length=18)
    phone = models.CharField("电话", max_length=32, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        constraints = [models.UniqueConstraint(fields=["court", "id_code"], name="one_party_per_id_code")]

    def __str__(self):
        return self.name


class EnforceableTitle(models.Model):
    """执行依据: the effective judgment, mediation statement, award or deed."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    number = models.CharField("文书编号", max_length=64)
    kind = models.CharField("文书种类", max_length=32)
    effective_on = models.DateField("生效日期")
    due_on = models.DateField("履行期限届满日")

    class Meta:
        verbose_name = verbose_name_plural = "执行依据"

    def __str__(self):
        return self.number


class CaseNumberCounter(models.Model):
    """The last sequence number given per court, year and type (案号规定 §9–10).

    Numbers are taken inside the filing transaction under a row lock, so a
    rolled-back filing gives its numbers back: no gap, no duplicate."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    type_code = models.CharField(max_length=4)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["court", "year", "type_code"], name="one_counter_per_series")
        ]


class EnforcementCase(models.Model):
    State = models.TextChoices("State", [(k, (k, v)) for k, v in STATES.items()])
    ClosingMode = models.TextChoices("ClosingMode", [(k, (k, v)) for k, v in CLOSING_MODES.items()])
    TypeCode = models.TextChoices("TypeCode", [(k, (k, v)) for k, v in TYPE_CODES.items()])

    # Court and handler: no index of their own, the indexes below start with them.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, db_index=False)
    case_number = models.CharField("案号", max_length=40)
    type_code = models.CharField("案件类型", max_length=4, choices=TypeCode.choices)
    year = models.PositiveSmallIntegerField("收案年度")
    seq = models.PositiveIntegerField("序号")
    # Title, home team and handler, rule set: no index of their own. No query
    # looks cases up by them; only deleting one of those (never done: titles,
    # rule sets and officers stay for the record) would read the table. Each
    # index is written on every insert and on every move of the case (four
    # writes a case through the robot), so each one unread is pure cost.
    title = models.ForeignKey(EnforceableTitle, on_delete=models.PROTECT, related_name="cases", db_index=False)
    parties = models.ManyToManyField(Party, through="CaseParty", related_name="cases")
    amount_claimed = models.BigIntegerField("申请执行标的额（分）")
    filed_on = models.DateField("立案日期")
    state = models.CharField("状态", max_length=16, choices=State.choices, default="filed")
    version = models.PositiveIntegerField(default=1)  # optimistic lock
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")
    handler = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", db_index=False
    )
    # While handed to another team for a stage (分段): the stage, and the team
    # and handler it returns to (centre/handoff.py). Empty at home.
    stage = models.CharField("移交阶段", max_length=16, blank=True)
    home_team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  db_index=False)
    home_handler = models.ForeignKey(
        Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The rule of triage that routed the case; the reason and the facts it
    # read are in the `triaged` event (triage_reason, triage_facts below):
    # written on the row they made every case's row grow, which cost triage
    # more than everything else it does (a page split per few cases).
    triage_rule = models.CharField("分流规则", max_length=16, blank=True)
    triage_ruleset = models.ForeignKey(
        "centre.TriageRuleSet", on_delete=models.PROTECT, null=True, blank=True, db_index=False
    )
    closed_on = models.DateField("结案日期", null=True, blank=True)
    closing_mode = models.CharField("结案方式", max_length=20, choices=ClosingMode.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执行案件"
        constraints = [
            models.UniqueConstraint(fields=["court", "case_number"], name="unique_case_number"),
            models.UniqueConstraint(fields=["court", "year", "type_code", "seq"], name="unique_case_seq"),
            models.CheckConstraint(condition=models.Q(amount_claimed__gte=0), name="claim_not_negative"),
            models.CheckConstraint(
                condition=models.Q(state="closed", closed_on__isnull=False, closing_mode__gt="")
                | (~models.Q(state="closed") & models.Q(closed_on__isnull=True, closing_mode="")),
                name="closed_iff_closing_fields",
            ),
        ]
        indexes = [
            # Ending in id: the robot takes each step's cases oldest first
            # (state = … ORDER BY id LIMIT n), a range of this index; without
            # it PostgreSQL walks the primary key past every older case.
            models.Index(fields=["court", "state", "id"], name="case_court_state_id"),
            models.Index(fields=["court", "filed_on"]),
            models.Index(fields=["court", "closed_on"]),
            models.Index(fields=["handler", "state"]),
        ]

    def __str__(self):
        return self.case_number

    @property
    def triage_event(self) -> "CaseEvent | None":
        """The latest `triaged` event (from the prefetched events when the page has them)."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "events" in cache:
            triaged = [e for e in cache["events"] if e.kind == "triaged"]
            return max(triaged, key=lambda e: (e.at, e.id)) if triaged else None
        return self.events.filter(kind="triaged").order_by("-at", "-id").first()

    @property
    def triage_reason(self) -> str:
        """Why triage chose the team (分流理由)."""
        event = self.triage_event
        if event is None:
            return ""
        return event.data.get("reason") or event.detail.partition("：")[2]

    @property
    def triage_facts(self) -> dict:
        """The facts the rules read, as triage saw them."""
        event = self.triage_event
        return dict(event.data.get("facts") or {}) if event is not None else {}


class CaseParty(models.Model):
    class Role(models.TextChoices):
        CREDITOR = "creditor", "申请执行人"
        DEBTOR = "debtor", "被执行人"

    # Case and party: no index of their own, the unique (case, party, role)
    # and (party, role) indexes start with them; nothing looks rows up by court.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, db_index=False)
    case = models.ForeignKey(EnforcementCase, on_delete=models.CASCADE, related_name="case_parties", db_index=False)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="case_roles", db_index=False)
    role = models.CharField("诉讼地位", max_length=16, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "party", "role"], name="party_once_per_role")
        ]
        indexes = [models.Index(fields=["party", "role"])]


class CaseEvent(models.Model):
    """Append-only: the truth of a case's history. A database trigger refuses
    updates (see migration 0002); nothing in the code deletes events."""

    class Kind(models.TextChoices):
        FILED = "filed", "立案"
        INQUIRY_STARTED = "inquiry_started", "发起网络查控"
        INQUIRY_FINISHED = "inquiry_finished", "网络查控反馈"
        INQUIRY_FAILED = "inquiry_failed", "网络查控失败转人工"
        FIELD_INQUIRY_ORDERED = "field_inquiry_ordered", "安排线下查询"
        FIELD_INQUIRY_DONE = "field_inquiry_done", "线下查询结果"
        LEAD_REPORTED = "lead_reported", "申请执行人提供财产线索"
        LEAD_CHECKED = "lead_checked", "财产线索核查"
        TRIAGED = "triaged", "繁简分流"
        REROUTED = "rerouted", "人工改分"
        DISPATCHED = "dispatched", "分派"
        HANDLER_CHANGED = "handler_changed", "变更承办人"
        HANDED_OFF = "handed_off", "移交阶段办理"
        HANDED_BACK = "handed_back", "阶段办理完毕退回"
        STEP_DONE = "step_done", "办理节点"
        FUNDS_RECEIVED = "funds_received", "执行款到账"
        TERMS_RECORDED = "terms_recorded", "登记给付内容（利息、分期）"
        PAYOUT_PLANNED = "payout_planned", "拟定案款发放方案"
        PAYOUT_DECIDED = "payout_decided", "案款发放审批"
        PAYOUT_DEFERRED = "payout_deferred", "暂缓发放"
        FUNDS_PAID = "funds_paid", "案款发放"
        PERIOD_STARTED = "period_started", "扣除审限期间开始"
        PERIOD_ENDED = "period_ended", "扣除审限期间结束"
        EXTENSION_REQUESTED = "extension_requested", "申请延长审限"
        EXTENSION_DECIDED = "extension_decided", "延长审限审批"
        CLOSED = "closed", "结案"

    # Court and case: no index of their own, (court, kind, at) and (case, at) start with them.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, db_index=False)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="events", db_index=False)
    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("事件", max_length=24, choices=Kind.choices)
    # None: the robot. No index: events are read by case or by court, kind and
    # time, never by who acted (an index would be written with every event).
    actor = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True, db_index=False)
    detail = models.TextField("说明", blank=True)  # Chinese, for the timeline
    data = models.JSONField(default=dict, blank=True)  # the facts, for measures and audit

    class Meta:
        verbose_name = verbose_name_plural = "案件事件"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["court", "kind", "at"]), models.Index(fields=["case", "at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("CaseEvent is append-only")
        super().save(*args, **kwargs)

    @property
    def actor_name(self) -> str:
        return self.actor.name if self.actor_id else "机器人法官助理"


class Milestone(models.Model):
    """A dated legal step the law times (rules.md §3)."""

    Kind = models.TextChoices("Kind", [(m.kind, (m.kind, m.label)) for m in DEFAULT_MILESTONES])

    # No index of their own: the unique (case, kind) starts with case; court
    # leads the open milestones' index (the board's due and overdue lists).
    court = models.ForeignKey(Court, on_delete=models.PROTECT, db_index=False)
    case = models.ForeignKey(EnforcementCase, on_delete=models.CASCADE, related_name="milestones", db_index=False)
    kind = models.CharField("节点", max_length=32, choices=Kind.choices)
    due_on = models.DateField("期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    basis = models.CharField("依据", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "案件节点"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="one_milestone_per_kind")]
        # Only open milestones, by due date: what the board and the lists read.
        # Marking one done then adds no entry to it (the robot marks thousands).
        indexes = [models.Index(fields=["court", "due_on"], condition=models.Q(done_on__isnull=True),
                                name="milestone_open_due")]


class ExcludedPeriod(models.Model):
    """A period the six-month limit does not count (审限规定第九条)."""

    Kind = models.TextChoices("Kind", [(k, (k, v)) for k, v in EXCLUDED_PERIOD_KINDS.items()])

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="excluded_periods")
    kind = models.CharField("事由", max_length=24, choices=Kind.choices)
    start_on = models.DateField("起")
    end_on = models.DateField("止", null=True, blank=True)  # open while it lasts

    class Meta:
        verbose_name = verbose_name_plural = "扣除审限期间"


class Extension(models.Model):
    """延长审限: the handler's request and the director's decision (审限规定第五条;
    2006年执行期限规定第一条). An approved one adds its months to the time limit,
    on top of the excluded periods (cases/periods.py recomputes the milestone)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    court = models.ForeignKey(Court, on_delete=models.PROTECT)
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="extensions")
    months = models.PositiveSmallIntegerField("延长月数", default=3)
    reason = models.TextField("申请理由")
    limit_due_on = models.DateField("申请时审限届满日")
    requested_at = models.DateTimeField("申请时间")
    requested_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("审批状态", max_length=16, choices=Status.choices, default="pending")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_reason = models.TextField("审批意见", blank=True)
    new_due_on = models.DateField("延长后届满日", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延长审限"
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="one_pending_extension"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="approved"), name="one_approved_extension"
            ),
        ]
        indexes = [models.Index(fields=["court", "status"])]
