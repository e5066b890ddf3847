"""The inquiry port over a real HTTP connection: the same answers as the
in-process simulation, and every failure an unanswered debtor (None), never
"nothing found"."""

import json
import time
import urllib.error
import urllib.request
from datetime import date

import pytest

from tests.conftest import company_code, person_id
from zhixing.inquiry.http import DETAIL_MAX, HOLDER_MAX, HttpProvider, draw, serve
from zhixing.inquiry.models import Asset
from zhixing.inquiry.providers import ALL_KINDS, DebtorRef, FoundAsset, SimulatedProvider, default_provider


def people(n, start=1):
    return [DebtorRef(person_id(s, birth=date(1975, 1, 1 + s % 28)), f"被执行人{s}", "person")
            for s in range(start, start + n)]


def companies(n):
    return [DebtorRef(company_code(s), f"武汉某某{s}有限公司", "company") for s in range(1, n + 1)]


def asset_json(**over):
    asset = {"kind": "deposit", "holder": "中国工商银行武汉汉阳支行", "value_fen": 123_45, "detail": "活期存款"}
    return asset | over


def results_body(results) -> bytes:
    return json.dumps({"results": results}, ensure_ascii=False).encode()


def test_http_answers_exactly_what_the_simulation_answers(simulator):
    server = simulator()
    debtors = people(40) + companies(10)
    answers = HttpProvider(server.url, timeout=2, batch_size=7).inquire(debtors, ALL_KINDS)
    assert answers == SimulatedProvider().inquire(debtors, ALL_KINDS)
    assert sum(len(a) for a in answers.values()) > 0
    assert server.requests == 8  # 50 debtors in batches of 7


def test_only_the_kinds_asked_for_come_back(simulator):
    server = simulator()
    debtors = people(40)
    kinds = ("deposit", "vehicle")
    answers = HttpProvider(server.url, timeout=2).inquire(debtors, kinds)
    assert answers == SimulatedProvider().inquire(debtors, kinds)
    assert {a.kind for assets in answers.values() for a in assets} == {"deposit", "vehicle"}


def test_a_server_slower_than_the_timeout_leaves_every_debtor_unanswered(simulator):
    server = simulator(delay=1.0)
    debtors = people(5)
    started = time.monotonic()
    answers = HttpProvider(server.url, timeout=0.3, batch_size=2).inquire(debtors, ALL_KINDS)
    assert answers == {d.id_code: None for d in debtors}
    # One timeout, not one per batch: after it the other two batches are not sent.
    assert time.monotonic() - started < 0.9
    assert server.requests == 1


def test_a_503_leaves_the_batch_unanswered(simulator):
    server = simulator(fail_rate=1.0)
    debtors = people(3)
    assert HttpProvider(server.url, timeout=2).inquire(debtors, ALL_KINDS) == {d.id_code: None for d in debtors}


def test_a_refused_batch_does_not_stop_the_next_one(fixed_server):
    url = fixed_server(503, b'{"error": "busy"}')
    debtors = people(4)
    assert HttpProvider(url, timeout=2, batch_size=1).inquire(debtors, ALL_KINDS) == {d.id_code: None for d in debtors}


def test_a_refused_connection_leaves_every_debtor_unanswered(closed_port):
    debtors = people(3)
    answers = HttpProvider(f"http://127.0.0.1:{closed_port}", timeout=0.3).inquire(debtors, ALL_KINDS)
    assert answers == {d.id_code: None for d in debtors}


@pytest.mark.parametrize("body", [
    b"<html>502 Bad Gateway</html>",
    b"\xff\xfe not utf-8",
    b"[]",
    b'{"answers": []}',
    b'{"results": {"a": 1}}',
])
def test_a_body_that_is_not_an_answer_leaves_the_batch_unanswered(fixed_server, body):
    debtors = people(2)
    answers = HttpProvider(fixed_server(200, body), timeout=2).inquire(debtors, ALL_KINDS)
    assert answers == {d.id_code: None for d in debtors}


@pytest.mark.parametrize("bad", [
    asset_json(kind="gold"),
    asset_json(value_fen=-1),
    asset_json(value_fen=12.5),
    asset_json(value_fen="1000"),
    asset_json(value_fen=True),
    asset_json(value_fen=2**63),
    asset_json(holder=""),
    asset_json(holder="行" * (HOLDER_MAX + 1)),
    asset_json(detail="说" * (DETAIL_MAX + 1)),
    asset_json(kind="vehicle"),  # a kind not asked for
    "deposit",
])
def test_a_debtor_with_an_invalid_asset_is_unanswered_and_the_others_are_answered(fixed_server, bad):
    good, wrong = people(2)
    body = results_body([
        {"id_code": good.id_code, "assets": [asset_json()]},
        {"id_code": wrong.id_code, "assets": [asset_json(), bad]},
    ])
    answers = HttpProvider(fixed_server(200, body), timeout=2).inquire([good, wrong], ("deposit",))
    assert answers == {good.id_code: [FoundAsset("deposit", "中国工商银行武汉汉阳支行", 123_45, "活期存款")],
                       wrong.id_code: None}


def test_a_debtor_answered_twice_or_never_is_unanswered_and_strangers_are_ignored(fixed_server):
    twice, never, nothing = people(3)
    body = results_body([
        {"id_code": twice.id_code, "assets": []},
        {"id_code": twice.id_code, "assets": [asset_json()]},
        {"id_code": nothing.id_code, "assets": []},
        {"id_code": "not-asked", "assets": [asset_json()]},
        {"id_code": ["not", "a", "code"], "assets": []},
    ])
    answers = HttpProvider(fixed_server(200, body), timeout=2).inquire([twice, never, nothing], ALL_KINDS)
    assert answers == {twice.id_code: None, never.id_code: None, nothing.id_code: []}


def test_the_size_limits_are_those_of_the_asset_table():
    assert Asset._meta.get_field("holder").max_length == HOLDER_MAX
    assert Asset._meta.get_field("detail").max_length == DETAIL_MAX


def _seed_where(predicate):
    return next(seed for seed in range(1000) if predicate(seed))


def test_a_debtor_the_simulator_leaves_out_is_answered_on_a_later_attempt(simulator):
    debtors = people(8)
    rate = 0.5

    def left_out(seed, attempt):
        return {d.id_code for d in debtors if draw(seed, f"debtor:{d.id_code}:{attempt}") < rate}

    # A seed under which both requests are answered, some debtors are left out
    # the first time, and all of those are answered the second time.
    seed = _seed_where(lambda s: draw(s, "request:1") >= rate and draw(s, "request:2") >= rate
                       and left_out(s, 1) and not (left_out(s, 1) & left_out(s, 2)))
    server = simulator(fail_rate=rate, seed=seed)
    provider = HttpProvider(server.url, timeout=2)
    expected = SimulatedProvider().inquire(debtors, ALL_KINDS)

    first = provider.inquire(debtors, ALL_KINDS)
    assert {code for code, a in first.items() if a is None} == left_out(seed, 1)
    assert {code: a for code, a in first.items() if a is not None} == {
        code: a for code, a in expected.items() if code not in left_out(seed, 1)}

    second = provider.inquire([d for d in debtors if first[d.id_code] is None], ALL_KINDS)
    assert second == {code: expected[code] for code in left_out(seed, 1)}


def test_the_simulator_refuses_requests_it_cannot_read(simulator):
    server = simulator()
    for body, status in [(b"{", 400), (b'{"debtors": [{"id_code": "x"}]}', 400),
                         (b'{"debtors": [], "kinds": ["gold"]}', 400)]:
        request = urllib.request.Request(server.url + "/v1/inquiries", data=body, method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=2)
        assert refused.value.code == status
        assert "error" in json.loads(refused.value.read())
        refused.value.close()
    assert server.requests == 0


def test_the_simulator_reports_its_health(simulator):
    server = simulator(delay=5)  # health is never delayed
    with urllib.request.urlopen(server.url + "/health", timeout=1) as response:
        assert (response.status, json.loads(response.read())) == (200, {"status": "ok"})


def test_serve_refuses_impossible_settings():
    with pytest.raises(ValueError):
        serve("127.0.0.1", 0, delay=-1)
    with pytest.raises(ValueError):
        serve("127.0.0.1", 0, fail_rate=1.5)


def test_the_default_provider_is_http_when_an_inquiry_url_is_set(settings):
    settings.INQUIRY_URL = "http://10.0.0.5:8765/"
    provider = default_provider()
    assert isinstance(provider, HttpProvider)
    assert provider.url == "http://10.0.0.5:8765/v1/inquiries"


@pytest.mark.parametrize("value", [None, ""])
def test_the_default_provider_is_the_simulation_without_an_inquiry_url(settings, value):
    settings.INQUIRY_URL = value
    assert isinstance(default_provider(), SimulatedProvider)
