"""The simulated network's behaviour (no HTTP, no database): idempotent
request ids, the polling cursor, latency on a log scale, failures, an
institution that is down, duplicate and late answers, all from the seed."""

from datetime import date

import pytest

from tests.conftest import person_id
from zhixing.inquiry.network import RequestError, SimSettings, SimulatedNetwork, parse_down
from zhixing.inquiry.providers import ALL_KINDS, DebtorRef, simulated_assets


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def debtor(serial):
    return {"id_code": person_id(serial, birth=date(1975, 1, 1 + serial % 28)), "name": f"被执行人{serial}",
            "kind": "person"}


def request(rid, kind="deposit", serials=(1,)):
    return {"request_id": rid, "kind": kind, "case_number": "（2026）鄂0105执1号", "basis": "民事诉讼法",
            "debtors": [debtor(s) for s in serials]}


def network(clock=None, **settings):
    return SimulatedNetwork(SimSettings(**settings), clock=clock or Clock())


def all_answers(net, cursor=""):
    polled = net.poll(cursor, 10_000)
    return polled["answers"], polled["cursor"]


def test_answers_are_the_simulated_assets_of_the_kind_asked():
    net = network()
    requests = [request(f"r{s}-{k}", k, (s, s + 100)) for s in range(1, 30) for k in ALL_KINDS]
    reply, hang = net.submit({"batch_id": "b1", "requests": requests})
    assert (len(reply["accepted"]), reply["duplicates"], hang) == (len(requests), [], False)
    answers, _ = all_answers(net)
    assert len(answers) == len(requests)
    for r, a in zip(requests, answers):
        expected = [(d["id_code"], x.kind, x.holder, x.value, x.detail)
                    for d in r["debtors"] for x in simulated_assets(DebtorRef(**d)) if x.kind == r["kind"]]
        got = [(x["debtor"], x["kind"], x["holder"], x["value_fen"], x["detail"]) for x in a["assets"]]
        assert (a["request_id"], got, a["status"]) == (r["request_id"], expected, "found" if expected else "none")
    assert {a["status"] for a in answers} == {"found", "none"}


def test_a_request_id_submitted_again_is_a_duplicate_and_its_answer_comes_again():
    clock = Clock()
    net = network(clock, latency_min=5, latency_max=5)
    net.submit({"batch_id": "b1", "requests": [request("r1")]})
    reply, _ = net.submit({"batch_id": "b2", "requests": [request("r1"), request("r2")]})
    assert reply == {"accepted": ["r2"], "duplicates": ["r1"]}  # r1 still pending: nothing happens
    assert all_answers(net)[0] == []
    clock.t += 5
    answers, cursor = all_answers(net)
    assert [a["request_id"] for a in answers] == ["r1", "r2"]
    reply, _ = net.submit({"batch_id": "b3", "requests": [request("r1")]})
    assert reply == {"accepted": [], "duplicates": ["r1"]}
    again, _ = all_answers(net, cursor)
    assert [a["request_id"] for a in again] == ["r1"]  # delivered once more, the same answer
    assert again[0]["assets"] == answers[0]["assets"]


def test_a_failed_request_submitted_again_is_a_new_attempt():
    net = network(fail_rate=1.0)
    net.submit({"batch_id": "b1", "requests": [request("r1")]})
    (answer,), cursor = all_answers(net)
    assert answer["status"] == "failed" and "稍后重试" in answer["reason"]
    net.settings.fail_rate = 0.0
    reply, _ = net.submit({"batch_id": "b2", "requests": [request("r1")]})
    assert reply["accepted"] == ["r1"]
    (answer,), _ = all_answers(net, cursor)
    assert answer["status"] in ("found", "none")


def test_the_cursor_pages_through_answers_and_another_epoch_reads_from_the_start():
    net = network()
    net.submit({"batch_id": "b1", "requests": [request(f"r{i}") for i in range(25)]})
    seen, cursor = [], ""
    while True:
        page = net.poll(cursor, 10)
        if not page["answers"]:
            break
        seen += [a["request_id"] for a in page["answers"]]
        cursor = page["cursor"]
    assert seen == [f"r{i}" for i in range(25)]
    assert cursor == f"{net.epoch}:25"
    assert net.poll(cursor, 10)["answers"] == []
    restarted = network()
    restarted.submit({"batch_id": "b1", "requests": [request("x")]})
    assert restarted.epoch != net.epoch
    assert [a["request_id"] for a in restarted.poll(cursor, 10)["answers"]] == ["x"]


def test_the_page_before_the_last_one_asked_for_can_be_read_again_and_no_further_back():
    net = network()
    net.submit({"batch_id": "b1", "requests": [request(f"r{i}") for i in range(40)]})

    def ids(cursor):
        return [a["request_id"] for a in net.poll(cursor, 10)["answers"]]

    cursors = [""]
    for _ in range(3):
        cursors.append(net.poll(cursors[-1], 10)["cursor"])
    # Asked from the third page's start: the second page is still there (a
    # receiver that read ahead and crashed before saving it reads it again) …
    assert ids(cursors[1]) == [f"r{i}" for i in range(10, 20)]
    assert ids(cursors[2]) == [f"r{i}" for i in range(20, 30)]
    # … and once the receiver has asked from further on, what lies before the
    # page before the last one is gone: an older cursor reads from there.
    ids(cursors[3])
    assert ids(cursors[0]) == [f"r{i}" for i in range(20, 30)]


def test_latency_spreads_on_a_log_scale_from_milliseconds_to_minutes():
    clock = Clock()
    net = network(clock, latency_min=0.001, latency_max=300, seed=7)
    net.submit({"batch_id": "b1", "requests": [request(f"r{i}") for i in range(300)]})
    ready = {}
    cursor = ""
    for t in (0.01, 1, 10, 300):
        clock.t = 1000 + t
        answers, cursor = all_answers(net, cursor)
        ready[t] = len(answers)
    assert 20 < ready[0.01] < 120  # about a third within 10 ms
    assert all(n > 20 for n in ready.values())
    assert sum(ready.values()) == 300


def test_the_same_seed_gives_the_same_behaviour():
    def run(seed):
        net = network(fail_rate=0.3, duplicate_rate=0.3, seed=seed)
        net.submit({"batch_id": "b1", "requests": [request(f"r{i}") for i in range(50)]})
        return [(a["request_id"], a["status"]) for a in all_answers(net)[0]]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_duplicate_and_late_answers():
    clock = Clock()
    net = network(clock, duplicate_rate=1.0, latency_max=1, latency_min=1)
    net.submit({"batch_id": "b1", "requests": [request("r1")]})
    clock.t += 10
    assert [a["request_id"] for a in all_answers(net)[0]] == ["r1", "r1"]
    net = network(clock, late_rate=1.0, late_delay=60)
    net.submit({"batch_id": "b1", "requests": [request("r1")]})
    clock.t += 59
    assert all_answers(net)[0] == []
    clock.t += 1
    assert [a["status"] for a in all_answers(net)[0]] in (["found"], ["none"])


def test_an_institution_down_for_a_while_fails_then_answers():
    clock = Clock()
    net = network(clock, down={"deposit": 30})
    net.submit({"batch_id": "b1", "requests": [request("d", "deposit"), request("v", "vehicle")]})
    answers, cursor = all_answers(net)
    assert {a["request_id"]: a["status"] for a in answers}["d"] == "failed"
    assert answers[0]["institution"] == "银行业金融机构" and "维护" in answers[0]["reason"]
    assert {a["request_id"]: a["status"] for a in answers}["v"] != "failed"
    clock.t += 30
    net.submit({"batch_id": "b2", "requests": [request("d", "deposit")]})
    (answer,), _ = all_answers(net, cursor)
    assert answer["status"] != "failed"


def test_a_batch_may_be_held_back_as_a_timeout_but_is_registered():
    net = network(timeout_rate=1.0)
    reply, hang = net.submit({"batch_id": "b1", "requests": [request("r1")]})
    assert hang and reply["accepted"] == ["r1"]


@pytest.mark.parametrize("payload, message", [
    ({}, "requests"),
    ({"requests": []}, "batch_id"),
    ({"batch_id": "b", "requests": [{"request_id": "r"}]}, "缺少字段"),
    ({"batch_id": "b", "requests": [request("r", kind="gold")]}, "未知的查询项目"),
    ({"batch_id": "b", "requests": [dict(request("r"), basis="")]}, "缺少案号或查询依据"),
    ({"batch_id": "b", "requests": [dict(request("r"), case_number="")]}, "缺少案号或查询依据"),
])
def test_a_batch_it_cannot_read_is_refused_whole(payload, message):
    net = network()
    with pytest.raises(RequestError, match=message):
        net.submit(payload)
    assert net.accepted == 0


def test_parse_down():
    assert parse_down("deposit") == ("deposit", None)
    assert parse_down("vehicle:90") == ("vehicle", 90.0)
    for bad in ("gold:1", "deposit:-1", "deposit:soon"):
        with pytest.raises(ValueError):
            parse_down(bad)
