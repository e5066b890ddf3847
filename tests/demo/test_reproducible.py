"""A seed always gives the same history; a load is all or nothing. These
loads run outside test_loader's module-wide load, each rolled back."""

from collections import Counter
from datetime import date

import pytest
from django.db import transaction

from zhixing.cases.models import CaseEvent, CaseParty, EnforcementCase
from zhixing.courts.models import Court
from zhixing.demo import loader
from zhixing.demo.loader import demo_load
from zhixing.funds.selectors import recovered_by_case

TODAY = date(2026, 3, 20)

pytestmark = pytest.mark.django_db


def snapshot():
    """What must not change between two loads with the same seed."""
    debtors = Counter()
    for number, code in CaseParty.objects.filter(role="debtor").values_list(
        "case__case_number", "party__id_code"
    ):
        debtors[(number, code)] += 1
    cases = list(
        EnforcementCase.objects.order_by("id").values_list(
            "case_number", "amount_claimed", "filed_on", "state", "closing_mode", "team__kind"
        )
    )
    return cases, sorted(debtors)


def test_the_same_seed_gives_the_same_history_and_another_seed_another(capsys):
    def load(seed, progress=False):
        with transaction.atomic():
            demo_load(seed=seed, days=6, today=TODAY, progress=progress)
            result = snapshot()
            transaction.set_rollback(True)
        return result

    first = load(11, progress=True)
    out = capsys.readouterr().out
    assert "演示数据：2026年3月 已立案" in out and "演示数据加载完成" in out
    assert Court.objects.count() == 0  # rolled back: the next load starts afresh
    assert load(11) == first
    other = load(12)
    assert other[0] != first[0]
    assert {code for _, code in other[1]}.isdisjoint({code for _, code in first[1]})


def test_an_interrupted_load_leaves_nothing_behind(monkeypatch):
    days = []
    real_day = loader.History.day

    def day_then_fail(self, d):
        real_day(self, d)
        days.append(d)
        if len(days) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(loader.History, "day", day_then_fail)
    with pytest.raises(KeyboardInterrupt):
        demo_load(seed=7, days=20, today=TODAY)
    assert len(days) == 3
    assert not Court.objects.exists()
    assert not EnforcementCase.objects.exists()
    assert not CaseEvent.objects.exists()


def test_cases_with_nothing_found_reach_the_library_after_three_months(monkeypatch, caplog):
    """File one day's cases, then let the clock run 130 days: the 终本 guard
    (notice, restriction, a fresh inquiry, more than three months) lets them pass."""
    from zhixing.demo.filings import Filings

    real_day, days = Filings.day, []

    def first_day_only(self, d):
        days.append(d)
        return real_day(self, d) + real_day(self, d) if len(days) == 1 else []

    monkeypatch.setattr(Filings, "day", first_day_only)
    demo_load(seed=5, days=130, today=date(2026, 7, 1))
    assert "refused" not in caplog.text
    library = EnforcementCase.objects.filter(closing_mode="terminated_round")
    assert library.count() >= 5
    for case in library:
        assert (case.closed_on - case.filed_on).days > 92
        kinds = list(case.events.order_by("at", "id").values_list("kind", flat=True))
        assert kinds.count("inquiry_finished") == 2  # the first inquiry and the one before closing
        assert kinds[-1] == "closed"
    assert EnforcementCase.objects.filter(closing_mode="performed").exists()
    # Found cash deducted, then 终本: the fresh inquiry finds the same account
    # again, and the guard must not count it twice.
    recovered = recovered_by_case(library.values_list("id", flat=True))
    assert any(0 < recovered.get(c.id, 0) < c.amount_claimed for c in library)
