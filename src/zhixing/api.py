"""The JSON API other court systems integrate with: /api/v1/ (docs at /api/v1/docs).

Handlers parse, call one service or selector, render. Money is a decimal
string in yuan; dates are ISO."""

from __future__ import annotations

import json
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from zhixing.cases.periods import TIME_LIMIT_PAUSED
from zhixing.cases.selectors import access_case
from zhixing.cases.services import cases_file
from zhixing.courts.models import ApiToken
from zhixing.intake.parsing import parse_application
from zhixing.rules.money import yuan_str
from zhixing.stats.measures import measures_for


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        row = (
            ApiToken.objects.filter(digest=ApiToken.hash(token), revoked_at__isnull=True)
            .select_related("officer__court")
            .first()
        )
        return row.officer if row else None


api = NinjaAPI(
    title="执行 Zhixing 接口",
    version="1",
    description="基层法院执行局案件管理系统对外接口。认证：请求头 `Authorization: Bearer 令牌`"
    "（令牌由 `zhixing token create 用户名` 生成）。金额为以元为单位的十进制字符串，日期为 ISO 格式。",
    auth=BearerToken(),
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    """Schema errors in Chinese, one per field, like the parser's own."""
    errors = []
    for e in exc.errors:
        loc = [str(part) for part in e.get("loc", ()) if part not in ("body", "payload", "query")]
        errors.append({"field": ".".join(loc), "label": ".".join(loc) or "请求", "message": _pydantic_zh(e)})
    return api.create_response(request, {"detail": "请求内容有误", "errors": errors}, status=422)


def _pydantic_zh(e: dict) -> str:
    kind = e.get("type", "")
    return {
        "missing": "必须填写",
        "json_invalid": "不是有效的 JSON",
        "string_type": "应为文本",
        "int_parsing": "应为整数",
        "date_from_datetime_parsing": "应为日期（2026-01-05）",
        "date_parsing": "应为日期（2026-01-05）",
        "list_type": "应为列表",
        "dict_type": "应为对象",
        "model_attributes_type": "应为对象",
    }.get(kind, "格式不正确")


class PartyIn(Schema):
    kind: str
    name: str
    id_number: str | None = None
    credit_code: str | None = None
    phone: str | None = None
    address: str | None = None


class TitleIn(Schema):
    number: str
    kind: str
    effective_on: str
    due_on: str


class CaseIn(Schema):
    type: str = "执"
    title: TitleIn
    creditors: list[PartyIn]
    debtors: list[PartyIn]
    amount_claimed: str


def _inline_schema(model) -> dict:
    """The JSON schema of a body model with its $defs inlined, for the docs."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


@api.post(
    "/cases",
    response={201: dict, 422: dict},
    summary="立案",
    tags=["案件"],
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _inline_schema(CaseIn)}}}},
)
def case_create(request: HttpRequest):
    """申请执行立案。请求体示例：

    ```json
    {"type":"执","title":{"number":"（2026）鄂0105民初123号","kind":"民事判决书",
     "effective_on":"2026-01-05","due_on":"2026-01-15"},
     "creditors":[{"kind":"company","name":"…","credit_code":"…"}],
     "debtors":[{"kind":"person","name":"…","id_number":"…","phone":"…","address":"…"}],
     "amount_claimed":"123456.78"}
    ```
    请求体有误时返回 422，`errors` 逐项列出字段与中文说明，且不写入任何数据。"""
    officer = request.auth
    now = timezone.now()
    try:
        payload = json.loads(request.body or b"null")
    except ValueError:
        error = {"field": "", "label": "请求", "message": "不是有效的 JSON"}
        return Status(422, {"detail": "请求内容不是有效的 JSON", "errors": [error]})
    application, errors = parse_application(payload, today=timezone.localdate(now))
    if errors:
        return Status(422, {"detail": "请求内容有误", "errors": [e.as_dict() for e in errors]})
    (case,) = cases_file(court=officer.court, actor=officer, applications=[application], now=now)
    return Status(201, case_json(access_case(officer, case.id)))


@api.get("/cases/{case_id}", response=dict, summary="案件详情", tags=["案件"])
def case_read(request: HttpRequest, case_id: int):
    return case_json(access_case(request.auth, case_id))


class InquiryCallbackToken(HttpBearer):
    """The network's own credential (settings.INQUIRY_CALLBACK_TOKEN), not an officer's."""

    def authenticate(self, request, token):
        from django.conf import settings
        from django.utils.crypto import constant_time_compare

        expected = settings.INQUIRY_CALLBACK_TOKEN
        return "inquiry-network" if expected and constant_time_compare(token, expected) else None


@api.post("/inquiry/answers", auth=InquiryCallbackToken(), response={200: dict, 422: dict},
          summary="网络查控答复回调", tags=["网络查控"], include_in_schema=True)
def inquiry_answers(request: HttpRequest):
    """查控网络推送答复（docs/inquiry-protocol.md）：`{"answers": [...]}`，与轮询所得相同；
    重复或迟到的答复不改变任何数据。认证：`Authorization: Bearer INQUIRY_CALLBACK_TOKEN`。"""
    from django.conf import settings

    from zhixing.inquiry.services import inquiry_answers_receive

    try:
        report = inquiry_answers_receive(payload=json.loads(request.body or b"null"), now=timezone.now())
    except ValueError as e:
        return Status(422, {"detail": str(e) if "answers" in str(e) else "请求内容不是有效的 JSON"})
    if settings.ROBOT_KICK and report.answered:
        from zhixing.robot import robot_kick

        transaction.on_commit(robot_kick)
    return {"answered": report.answered, "retried": report.retried, "repeated": report.repeated,
            "unknown": report.unknown}


class StatsQuery(Schema):
    from_: date = Field(..., alias="from", description="统计期间起（含），YYYY-MM-DD")
    to: date = Field(..., description="统计期间止（含），YYYY-MM-DD")


@api.get("/stats", response={200: dict, 422: dict}, summary="质效指标", tags=["质效"])
def stats_read(request: HttpRequest, filters: Query[StatsQuery]):
    """按结案日期统计首次执行案件（执保、执恢除外）的质效指标（规则说明第十三节）。
    比率为 0 到 1 之间的小数字符串，无结案时为 null。"""
    if filters.to < filters.from_:
        error = {"field": "to", "label": "统计期间止", "message": "不能早于统计期间起"}
        return Status(422, {"detail": "请求内容有误", "errors": [error]})
    m = measures_for(court=request.auth.court, start=filters.from_, end=filters.to)
    return m.as_json()


@api.get("/calc/fee", response={200: dict, 422: dict}, summary="申请执行费计算", tags=["计算器"])
def calc_fee(request: HttpRequest, amount: str = ""):
    """按诉讼费用交纳办法第十四条计算申请执行费（规则说明第十节）。`amount`：执行金额，
    以元为单位的十进制字符串，如 `123456.78`。返回 `{"fee": "1751.85"}`（元）。"""
    from zhixing.rules import RuleError
    from zhixing.rules.fees import enforcement_fee
    from zhixing.rules.money import parse_yuan

    try:
        fen = parse_yuan(amount)
    except (RuleError, TypeError) as e:
        error = {"field": "amount", "label": "执行金额", "message": str(e)}
        return Status(422, {"detail": f"执行金额：{e}", "errors": [error]})
    return {"amount": yuan_str(fen), "fee": yuan_str(enforcement_fee(fen))}


class DueQuery(Schema):
    on: date | None = Field(None, description="计算日期 YYYY-MM-DD，默认今天")


@api.get("/cases/{case_id}/due", response={200: dict, 422: dict}, summary="应付金额", tags=["案件"])
def case_due_read(request: HttpRequest, case_id: int, query: Query[DueQuery]):
    """截至 `on` 日（含）被执行人尚应支付的金额（规则说明第十节）：本金、一般债务利息（执行依据判令时）、
    加倍部分债务利息（日万分之一点七五）、申请执行费，以及已付金额与合计；`reasons` 为计算依据。
    他院案件返回 404。"""
    from zhixing.funds.due import officer_case_due
    from zhixing.rules import RuleError

    on = query.on or timezone.localdate()
    try:
        case, s = officer_case_due(request.auth, case_id, on)
    except RuleError as e:
        return Status(422, {"detail": str(e), "errors": [{"field": "", "label": "给付内容", "message": str(e)}]})
    return {
        "case_id": case.id,
        "case_number": case.case_number,
        "on": on.isoformat(),
        "principal": yuan_str(s.principal),
        "interest": yuan_str(s.interest),
        "doubled_interest": yuan_str(s.doubled_interest),
        "fee": yuan_str(s.fee),
        "paid": yuan_str(s.paid),
        "total": yuan_str(s.total),
        "reasons": [str(r) for r in s.reasons],
    }


def case_json(case) -> dict:
    return {
        "id": case.id,
        "case_number": case.case_number,
        "type": case.type_code,
        "state": case.state,
        "state_label": case.get_state_display(),
        "filed_on": case.filed_on.isoformat(),
        "team": case.team.kind if case.team else None,
        "team_name": case.team.name if case.team else None,
        "handler": case.handler.name if case.handler else None,
        "amount_claimed": yuan_str(case.amount_claimed),
        "amount_recovered": yuan_str(case.amount_recovered),
        "title": {
            "number": case.title.number,
            "kind": case.title.kind,
            "effective_on": case.title.effective_on.isoformat(),
            "due_on": case.title.due_on.isoformat(),
        },
        "creditors": [_party_json(p) for p in case.creditors],
        "debtors": [_party_json(p) for p in case.debtors],
        "assets": [
            {"kind": a.kind, "kind_label": a.get_kind_display(), "holder": a.holder, "value": yuan_str(a.value),
             "detail": a.detail}
            for a in case.found_assets
        ],
        "triage": {"rule": case.triage_rule, "reason": case.triage_reason} if case.triage_rule else None,
        "events": [
            {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor_name, "detail": e.detail}
            for e in case.events.all()
        ],
        "milestones": [
            {"kind": m.kind, "label": m.get_kind_display(), "due_on": None if m.due_on >= TIME_LIMIT_PAUSED else m.due_on.isoformat(),
             "done_on": m.done_on.isoformat() if m.done_on else None}
            for m in case.milestones.all()
        ],
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "closing_mode": case.closing_mode or None,
    }


def _party_json(p) -> dict:
    key = "id_number" if p.kind == "person" else "credit_code"
    return {"kind": p.kind, "name": p.name, key: p.id_code, "phone": p.phone, "address": p.address}
