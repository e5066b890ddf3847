"""办理阶段 (分段): a case's time split by who held it, read from its events.

Dispatch starts the first segment; a hand-off, a hand-back, a change of
handler (and a re-routing after dispatch) each start the next; closing ends
the last. Each segment says which team and handler held the case, for which
stage, from when to when, and for how many days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from zhixing.cases.models import CaseEvent, EnforcementCase
from zhixing.courts.models import Officer, Team
from zhixing.rules.workload import HANDOFF_STAGES

HOW = {
    "dispatched": "分派",
    "handler_changed": "变更承办人",
    "handed_off": "移交",
    "handed_back": "退回",
    "rerouted": "改分",
}


@dataclass(frozen=True)
class Segment:
    team: str
    handler: str
    stage: str  # 本团队办理 or the stage it was handed off for
    how: str  # what started it: 分派 / 移交 / 退回 / 变更承办人
    start: date
    end: date | None  # None while it lasts
    days: int
    current: bool


@dataclass(frozen=True)
class _Start:
    team: str | None  # team kind
    handler: int | None
    stage: str


def _start(event: CaseEvent, previous: _Start | None) -> _Start | None:
    """The holder an event hands the case to, or None if it changes no holder."""
    d = event.data or {}
    if event.kind == "dispatched":
        return _Start(d.get("team"), d.get("handler"), "")
    if event.kind == "handed_off":
        return _Start(d.get("to_team"), d.get("to_handler"), d.get("stage", ""))
    if event.kind == "handed_back":
        return _Start(d.get("to_team"), d.get("to_handler"), "")
    if previous is None:
        return None  # before dispatch nobody holds the case
    if event.kind == "handler_changed":
        return _Start(d.get("team", previous.team), d.get("to_handler"), previous.stage)
    if event.kind == "rerouted" and ("to_team" in d or "team" in d):
        return _Start(
            d.get("to_team", d.get("team")), d.get("to_handler", d.get("handler")), previous.stage
        )
    return None


def segments_from(
    events: Iterable[CaseEvent],
    *,
    team_names: dict[str, str],
    officer_names: dict[int, str],
    today: date,
) -> list[Segment]:
    """The segments of one case's events (in time order), names given."""
    spans: list[tuple[_Start, str, date, date | None]] = []
    current: _Start | None = None
    for e in events:
        day = timezone.localdate(e.at)
        if e.kind == "closed":
            if spans and spans[-1][3] is None:
                holder, how, start, _ = spans[-1]
                spans[-1] = (holder, how, start, day)
            current = None
            continue
        holder = _start(e, current)
        if holder is None:
            continue
        if spans and spans[-1][3] is None:
            prev, how, start, _ = spans[-1]
            spans[-1] = (prev, how, start, day)
        spans.append((holder, HOW.get(e.kind, e.kind), day, None))
        current = holder
    return [
        Segment(
            team=team_names.get(h.team or "", h.team or "—"),
            handler=officer_names.get(h.handler, "未指定") if h.handler else "未指定",
            stage=HANDOFF_STAGES[h.stage][0]
            if h.stage in HANDOFF_STAGES
            else (h.stage or "本团队办理"),
            how=how,
            start=start,
            end=end,
            days=((end or today) - start).days,
            current=end is None,
        )
        for h, how, start, end in spans
    ]


def case_segments(
    *, case: EnforcementCase, today: date, events: Iterable[CaseEvent] | None = None
) -> list[Segment]:
    """The case page's 办理阶段: from the case's (prefetched) events, plus two
    small queries for the names of teams and officers."""
    events = list(case.events.all() if events is None else events)
    officer_ids = set()
    for e in events:
        d = e.data or {}
        for key in ("handler", "to_handler", "from_handler"):
            if isinstance(d.get(key), int):
                officer_ids.add(d[key])
    team_names = dict(Team.objects.filter(court_id=case.court_id).values_list("kind", "name"))
    officer_names = (
        dict(Officer.objects.filter(id__in=officer_ids).values_list("id", "name"))
        if officer_ids
        else {}
    )
    return segments_from(events, team_names=team_names, officer_names=officer_names, today=today)
