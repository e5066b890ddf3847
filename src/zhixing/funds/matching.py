"""Which case an incoming bank line belongs to (docs/bank-statement.md).

In this order, the first that names exactly one case wins:
  1. the sub-account number (案款子账号, rules/accounts.py; the 子账号 column, or
     one of the court's sub-account numbers written in the remark);
  2. a case number of this court in the remark (附言), brackets full- or half-width;
  3. the payer: the counterparty's name (or identity code) is the debtor of
     exactly one open case that still has money owed; two or more → unmatched.
A line addressed by sub-account or case number to a closed case still goes
to that case (the money is the case's; the event warns). The payer rule only
looks at open cases.

Set-based: one query for the numbered cases, one for the payers, one for
what the payers' cases have received, however many lines there are.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from zhixing.cases.models import CaseParty, EnforcementCase
from zhixing.courts.models import Court
from zhixing.funds.selectors import recovered_by_case
from zhixing.rules.accounts import parse_case_account
from zhixing.rules.case_number import (
    PROVINCE_ABBREVIATIONS,
    TYPE_CODES,
    CaseNumberError,
    parse_case_number,
)
from zhixing.rules.states import OPEN_STATES

__all__ = ["HOW_LABELS", "Match", "find_case_numbers", "match_incoming", "normalize_name"]

HOW_LABELS = {
    "sub_account": "按子账号匹配",
    "case_number": "按附言案号匹配",
    "payer": "按付款人匹配",
    "claimed": "人工认领",
}

# After NFKC (full-width brackets and digits become ASCII) and without spaces:
# (2026)鄂0105执1234号; brackets and 号 optional, since payers type what they type.
_TYPES = "|".join(sorted(TYPE_CODES, key=len, reverse=True))  # 执恢 before 执
_CASE_IN_TEXT = re.compile(
    rf"[(\[【〔]?(?P<year>\d{{4}})[)\]】〕]?(?P<court>[{PROVINCE_ABBREVIATIONS}]\d{{4}})"
    rf"(?P<type>{_TYPES})(?P<seq>[1-9]\d{{0,5}})(?!\d)号?"
)


@dataclass(frozen=True)
class Match:
    case_id: int
    case_number: str
    how: str  # StatementLine.Match: sub_account | case_number | payer
    closed: bool = False


def normalize_name(name: str) -> str:
    """Names compare after NFKC and without spaces: （集团） and (集团) are one."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def find_case_numbers(text: str) -> list[str]:
    """Canonical case numbers written anywhere in a remark, in order, once each."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    found: list[str] = []
    for m in _CASE_IN_TEXT.finditer(flat):
        try:
            number = str(parse_case_number(f"（{m['year']}）{m['court']}{m['type']}{m['seq']}号"))
        except CaseNumberError:
            continue
        if number not in found:
            found.append(number)
    return found


def _sub_account_refs(prefix: str, sub_account: str, remark: str):
    """The case-account references a line carries: its 子账号 cell, then any of
    the court's sub-account numbers in the remark (only with a prefix set:
    without one any long number with a good check digit would do)."""
    refs = []
    candidates = [sub_account] if sub_account else []
    if prefix:
        candidates += re.findall(rf"(?<!\d){re.escape(prefix)}\d{{12}}(?!\d)", remark or "")
    for text in candidates:
        ref = parse_case_account(prefix, text)
        if ref is not None and ref not in refs:
            refs.append(ref)
    return refs


def match_incoming(*, court: Court, prefix: str, lines: Sequence) -> dict[int, Match]:
    """index in `lines` -> Match, for the incoming lines that name one case.
    Each line needs .direction, .sub_account, .remark, .counterparty_name."""
    incoming = [(i, line) for i, line in enumerate(lines) if line.direction == "in"]
    account_refs = {
        i: _sub_account_refs(prefix, line.sub_account, line.remark) for i, line in incoming
    }
    numbers_in_remark = {
        i: [n for n in find_case_numbers(line.remark) if f"）{court.code}执" in n]
        for i, line in incoming
    }

    # 1 and 2: one query for every case a sub-account or a case number names.
    wanted_numbers = {n for ns in numbers_in_remark.values() for n in ns}
    wanted_refs = {(r.year, r.type_code, r.seq) for rs in account_refs.values() for r in rs}
    by_ref: dict[tuple, tuple] = {}
    by_number: dict[str, tuple] = {}
    if wanted_refs or wanted_numbers:
        q = Q(case_number__in=wanted_numbers)
        if wanted_refs:
            q |= Q(
                year__in={r[0] for r in wanted_refs},
                type_code__in={r[1] for r in wanted_refs},
                seq__in={r[2] for r in wanted_refs},
            )
        rows = EnforcementCase.objects.filter(q, court=court).values_list(
            "id", "year", "type_code", "seq", "case_number", "state"
        )
        for case_id, year, type_code, seq, number, state in rows:
            by_ref[(year, type_code, seq)] = (case_id, number, state)
            by_number[number] = (case_id, number, state)

    out: dict[int, Match] = {}
    for i, _ in incoming:
        for how, keys, table in (
            ("sub_account", [(r.year, r.type_code, r.seq) for r in account_refs[i]], by_ref),
            ("case_number", numbers_in_remark[i], by_number),
        ):
            hits = {table[k] for k in keys if k in table}
            if len(hits) == 1:
                case_id, number, state = hits.pop()
                out[i] = Match(case_id, number, how, closed=state not in OPEN_STATES)
                break

    # 3: the payer, for what is left.
    left = [(i, normalize_name(line.counterparty_name)) for i, line in incoming if i not in out]
    names = {n for _, n in left if n}
    if names:
        by_payer = _open_debtor_cases(
            court, names, {line.counterparty_name.strip() for _, line in incoming}
        )
        for i, name in left:
            hits = by_payer.get(name, set())
            if len(hits) == 1:
                case_id, number = next(iter(hits))
                out[i] = Match(case_id, number, "payer")
    return out


def _open_debtor_cases(
    court: Court, names: set[str], raw: set[str]
) -> dict[str, set[tuple[int, str]]]:
    """normalized name or id code -> {(case id, case number)} of the open cases
    where it is a debtor and something is still owed."""
    variants = set(names) | {r for r in raw if r}
    variants |= {n.replace("(", "（").replace(")", "）") for n in names}
    rows = list(
        CaseParty.objects.filter(court=court, role="debtor", case__state__in=OPEN_STATES)
        .filter(Q(party__name__in=variants) | Q(party__id_code__in=variants))
        .values_list(
            "case_id", "case__case_number", "case__amount_claimed", "party__name", "party__id_code"
        )
    )
    received = recovered_by_case({r[0] for r in rows})
    out: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for case_id, number, claimed, name, id_code in rows:
        if claimed - received.get(case_id, 0) <= 0:
            continue  # nothing owed: not the payer's case
        for key in (normalize_name(name), id_code):
            if key in names:
                out[key].add((case_id, number))
    return out
