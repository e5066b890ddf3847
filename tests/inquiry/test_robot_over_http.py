"""The robot's pass with the network inquiry over HTTP: a link that does not
answer in time leaves the case waiting with its inquiry open, and the next
pass, with the link answering, finishes the inquiry, triages and dispatches."""

from tests.centre.test_pipeline import debtor_with, file
from tests.conftest import at
from zhixing.cases.models import CaseEvent, CaseParty
from zhixing.centre.services import robot_pass
from zhixing.inquiry.http import HttpProvider
from zhixing.inquiry.models import Asset, Inquiry


def events(case):
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_a_slow_network_leaves_the_case_inquiring_until_a_later_pass_gets_the_answer(court, centre, simulator):
    code, expected = debtor_with(lambda a: len(a) >= 2)
    case = file(court, centre, at(2026, 3, 2), debtor_id=code)
    server = simulator(delay=1.0)

    report = robot_pass(now=at(2026, 3, 2, 10, 5), provider=HttpProvider(server.url, timeout=0.3))
    assert (report.inquired, report.answered, report.triaged, report.dispatched) == (1, 0, 0, 0)
    case.refresh_from_db()
    assert (case.state, case.team, case.handler) == ("inquiring", None, None)
    inquiry = Inquiry.objects.get(case=case)
    assert (inquiry.provider, inquiry.finished_at) == ("http", None)
    assert not Asset.objects.filter(case=case).exists()
    assert events(case) == ["filed", "inquiry_started"]

    server.delay = 0
    report = robot_pass(now=at(2026, 3, 2, 10, 6), provider=HttpProvider(server.url, timeout=0.3))
    assert (report.inquired, report.answered, report.triaged, report.dispatched) == (0, 1, 1, 1)
    case.refresh_from_db()
    assert case.state == "dispatched" and case.handler.team == case.team
    inquiry.refresh_from_db()
    assert inquiry.finished_at == at(2026, 3, 2, 10, 6)
    assert Inquiry.objects.filter(case=case).count() == 1  # the same inquiry, asked again
    assert events(case) == ["filed", "inquiry_started", "inquiry_finished", "triaged", "dispatched"]

    found = Asset.objects.filter(case=case).order_by("id")
    assert [(a.kind, a.holder, a.value, a.detail) for a in found] == [
        (a.kind, a.holder, a.value, a.detail) for a in expected]
    debtor = CaseParty.objects.get(case=case, role="debtor").party
    assert {(a.inquiry_id, a.debtor_id) for a in found} == {(inquiry.id, debtor.id)}


def test_a_network_refusing_every_request_leaves_the_case_inquiring(court, centre, simulator):
    case = file(court, centre, at(2026, 3, 2))
    server = simulator(fail_rate=1.0)
    for minute in (5, 6):
        report = robot_pass(now=at(2026, 3, 2, 10, minute), provider=HttpProvider(server.url, timeout=0.3))
        assert report.answered == 0
    case.refresh_from_db()
    assert case.state == "inquiring"
    assert Inquiry.objects.get(case=case).finished_at is None
    assert events(case) == ["filed", "inquiry_started"]
    assert server.requests == 2


def test_the_robot_asks_over_http_when_an_inquiry_url_is_set(court, centre, simulator, settings):
    server = simulator()
    settings.INQUIRY_URL = server.url
    case = file(court, centre, at(2026, 3, 2))
    report = robot_pass(now=at(2026, 3, 2, 10, 5))
    assert (report.inquired, report.answered, report.triaged, report.dispatched) == (1, 1, 1, 1)
    assert Inquiry.objects.get(case=case).provider == "http"
    assert server.requests == 1
