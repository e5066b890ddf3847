"""One parser behind the three doors of filing (form, API, Excel).

Each door turns its input into the API's shape (a dict) and calls
`parse_application`, which returns a FilingApplication or every error, each
naming its field in Chinese. Nothing is written here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from zhixing.cases.services import FilingApplication, PartyInput, TitleInput
from zhixing.rules import RuleError
from zhixing.rules.case_number import ADJUDICATION_TYPES, TYPE_CODES
from zhixing.rules.deadlines import TITLE_KINDS
from zhixing.rules.identity import check_credit_code, check_id_number, normalize_id_code
from zhixing.rules.money import parse_yuan

PARTY_KINDS = {"person": "自然人", "company": "法人", "organisation": "非法人组织"}
ROLE_LABELS = {"creditors": "申请执行人", "debtors": "被执行人"}


@dataclass(frozen=True)
class FieldError:
    field: str  # machine path, e.g. "debtors[0].id_number"
    label: str  # Chinese, e.g. "被执行人1 公民身份号码"
    message: str  # Chinese

    def __str__(self):
        return f"{self.label}：{self.message}"

    def as_dict(self):
        return {"field": self.field, "label": self.label, "message": self.message}


class _Errors(list):
    def add(self, field, label, message):
        self.append(FieldError(field, label, message))


def parse_date(value) -> date:
    """ISO dates, 2026/1/5, 2026年1月5日, or a date cell from Excel."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("必须填写日期")
    text = value.strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError(f"日期格式不正确：“{text}”（应为2026-01-05）")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"日期不存在：“{text}”") from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_application(raw, *, today: date) -> tuple[FilingApplication | None, list[FieldError]]:
    errors = _Errors()
    if not isinstance(raw, dict):
        errors.add("", "申请", "请求内容应为对象")
        return None, errors

    type_code = _text(raw.get("type")) or "执"
    if type_code not in TYPE_CODES:
        errors.add("type", "案件类型", f"“{type_code}”不是案件类型，应为{'、'.join(TYPE_CODES)}之一")

    title = _parse_title(raw.get("title"), today, errors)
    parties = {}
    for role in ("creditors", "debtors"):
        parties[role] = _parse_parties(raw.get(role), role, errors)
    creditor_codes = {p.id_code for p in parties["creditors"]}
    for i, p in enumerate(parties["debtors"]):
        if p.id_code in creditor_codes:
            errors.add(f"debtors[{i}]", f"被执行人{i + 1}", f"“{p.name}”同时是申请执行人")

    amount = None
    raw_amount = raw.get("amount_claimed")
    if raw_amount is None or _text(raw_amount) == "":
        if type_code in ADJUDICATION_TYPES:
            amount = 0
        else:
            errors.add("amount_claimed", "申请执行标的额", "必须填写")
    else:
        try:
            amount = parse_yuan(raw_amount if not isinstance(raw_amount, float) else _text(raw_amount))
        except (RuleError, TypeError) as e:
            errors.add("amount_claimed", "申请执行标的额", str(e))
        else:
            if amount <= 0 and type_code not in ADJUDICATION_TYPES:
                errors.add("amount_claimed", "申请执行标的额", "必须大于零")
            elif amount > 10**15:
                errors.add("amount_claimed", "申请执行标的额", "金额过大，请核对")

    if errors:
        return None, list(errors)
    return (
        FilingApplication(
            type_code=type_code,
            title=title,
            creditors=tuple(parties["creditors"]),
            debtors=tuple(parties["debtors"]),
            amount_claimed=amount,
        ),
        [],
    )


def _parse_title(raw, today: date, errors: _Errors) -> TitleInput | None:
    if not isinstance(raw, dict):
        errors.add("title", "执行依据", "必须填写执行依据（文书编号、种类、生效日期、履行期限届满日）")
        return None
    number = _text(raw.get("number"))
    if not number:
        errors.add("title.number", "执行依据文书编号", "必须填写")
    elif len(number) > 64:
        errors.add("title.number", "执行依据文书编号", "过长（最多64字）")
    kind = _text(raw.get("kind"))
    if not kind:
        errors.add("title.kind", "执行依据种类", "必须填写")
    elif kind not in TITLE_KINDS:
        errors.add("title.kind", "执行依据种类", f"“{kind}”不是可执行的文书种类，应为{'、'.join(TITLE_KINDS)}之一")
    dates = {}
    for key, label in (("effective_on", "执行依据生效日期"), ("due_on", "履行期限届满日")):
        try:
            dates[key] = parse_date(raw.get(key))
        except ValueError as e:
            errors.add(f"title.{key}", label, str(e))
    if "effective_on" in dates and dates["effective_on"] > today:
        errors.add("title.effective_on", "执行依据生效日期", "不能晚于今天")
    if len(dates) == 2 and dates["due_on"] < dates["effective_on"]:
        errors.add("title.due_on", "履行期限届满日", "不能早于生效日期")
    if errors:
        return None
    return TitleInput(number=number, kind=kind, effective_on=dates["effective_on"], due_on=dates["due_on"])


def _parse_parties(raw, role: str, errors: _Errors) -> list[PartyInput]:
    role_label = ROLE_LABELS[role]
    if not isinstance(raw, list) or not raw:
        errors.add(role, role_label, "至少填写一名")
        return []
    result, seen = [], set()
    for i, p in enumerate(raw):
        path, label = f"{role}[{i}]", f"{role_label}{i + 1}"
        if not isinstance(p, dict):
            errors.add(path, label, "应为对象")
            continue
        bad = len(errors)
        kind = _text(p.get("kind"))
        if kind not in PARTY_KINDS:
            errors.add(f"{path}.kind", f"{label} 类型", "应为自然人（person）、法人（company）或非法人组织（organisation）")
        name = _text(p.get("name"))
        if not name:
            errors.add(f"{path}.name", f"{label} 名称", "必须填写")
        elif len(name) > 128:
            errors.add(f"{path}.name", f"{label} 名称", "过长（最多128字）")
        if kind == "person":
            key, code_label, check = "id_number", "公民身份号码", check_id_number
            if _text(p.get("credit_code")):
                errors.add(f"{path}.credit_code", f"{label} 统一社会信用代码", "自然人应填写公民身份号码")
        else:
            key, code_label, check = "credit_code", "统一社会信用代码", check_credit_code
            if kind and _text(p.get("id_number")):
                errors.add(f"{path}.id_number", f"{label} 公民身份号码", "法人或非法人组织应填写统一社会信用代码")
        code = normalize_id_code(_text(p.get(key)))
        if not code:
            errors.add(f"{path}.{key}", f"{label} {code_label}", "必须填写")
        elif kind in PARTY_KINDS:
            decision = check(code)
            if not decision:
                errors.add(f"{path}.{key}", f"{label} {code_label}", _without_subject(decision, code_label))
        if code and code in seen:
            errors.add(f"{path}.{key}", f"{label} {code_label}", f"与本方其他当事人重复：{code}")
        seen.add(code)
        phone = _text(p.get("phone"))
        if phone and not re.fullmatch(r"[0-9+\-() ]{5,32}", phone):
            errors.add(f"{path}.phone", f"{label} 电话", f"格式不正确：“{phone}”")
        address = _text(p.get("address"))
        if len(address) > 200:
            errors.add(f"{path}.address", f"{label} 地址", "过长（最多200字）")
        if len(errors) == bad:
            result.append(PartyInput(kind=kind, name=name, id_code=code, phone=phone, address=address))
    return result


def _without_subject(decision, subject: str) -> str:
    """The rule's reasons without the repeated subject: the label already says
    "被执行人1 公民身份号码", so "公民身份号码校验位错误" reads "校验位错误"."""
    return "；".join(
        str(reason).removeprefix(subject).removeprefix("中的") for reason in decision.reasons
    )
