"""The demo records the periods 审限规定第九条 does not count, in an order the
services accept: each ends after it begins and no later than the closing;
real estate is appraised before its auction; a sold auction ends the day the
proceeds arrive; instalment settlements defer enforcement to the last one."""

import random
from collections import Counter

from zhixing.demo.history import Holdings, plan_case

HOUSE = Holdings(cash=0, property=True, other=0, real_estate=True)
CAR = Holdings(cash=0, property=True, other=0)


def plans(team, holdings, n=300, claim=50_000_00):
    rng = random.Random(3)
    return [
        plan_case(rng, team=team, type_code="执", claim=claim, holdings=holdings) for _ in range(n)
    ]


def periods(tasks):
    """kind -> (start offset, end offset or None)."""
    found = {}
    for t in tasks:
        if t.kind == "period_start":
            assert t.period not in found, "a period begun twice"
            found[t.period] = (t.offset, None)
        elif t.kind == "period_end":
            start, _ = found[t.period]
            assert t.offset >= start
            found[t.period] = (start, t.offset)
    return found


def test_every_period_ends_after_it_begins_and_by_the_closing():
    for team, holdings in (
        ("disposal", HOUSE),
        ("disposal", CAR),
        ("implementation", HOUSE),
        ("implementation", Holdings(0, False, 0)),
        ("simple", Holdings(cash=300_00, property=False, other=0)),
        ("simple", Holdings(cash=0, property=False, other=5_000_00)),
    ):
        for tasks in plans(team, holdings):
            found = periods(tasks)
            if tasks and tasks[-1].kind == "close":
                close = tasks[-1].offset
                assert all(end is not None and end <= close for _, end in found.values()), tasks


def test_disposal_auctions_are_recorded_and_real_estate_is_appraised_first():
    houses = [periods(t) for t in plans("disposal", HOUSE)]
    with_auction = [p for p in houses if "auction" in p]
    assert len(with_auction) > len(houses) * 0.8
    appraised = [p for p in with_auction if "appraisal" in p]
    assert 0.7 * len(with_auction) <= len(appraised) <= 0.9 * len(with_auction)
    for p in appraised:
        assert p["appraisal"][1] < p["auction"][0]
    cars = [periods(t) for t in plans("disposal", CAR)]
    assert not any("appraisal" in p for p in cars)
    running = Counter(p["auction"][1] is None for p in with_auction)
    assert running[True] > running[False]  # most auctions go on past the year


def test_a_sold_auction_ends_when_the_proceeds_arrive():
    for tasks in plans("disposal", CAR):
        if (
            tasks[-1].kind == "close"
            and tasks[-1].mode == "performed"
            and "auction" in periods(tasks)
        ):
            paid = [t.offset for t in tasks if t.kind == "receive"]
            assert periods(tasks)["auction"][1] == max(paid)


def test_instalment_settlements_defer_enforcement_to_the_last_instalment():
    deferred = 0
    for tasks in plans("simple", Holdings(cash=0, property=False, other=5_000_00)):
        p = periods(tasks)
        direct = [t.offset for t in tasks if t.kind == "receive" and t.direct]
        if "settlement_deferral" in p:
            deferred += 1
            assert len(direct) > 1
            assert p["settlement_deferral"] == (p["settlement_deferral"][0], max(direct))
            assert p["settlement_deferral"][0] <= min(direct)
    assert deferred > 20
