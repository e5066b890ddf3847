"""The protocol over a real HTTP connection (`zhixing inquiry-sim`'s server
and HttpProvider): the same answers as in process, idempotent request ids,
the polling cursor, the callback, and every failure a ProviderError."""

import json
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import company_code, person_id
from zhixing.inquiry.http import HttpProvider, serve
from zhixing.inquiry.models import Asset
from zhixing.inquiry.providers import (
    ALL_KINDS,
    DETAIL_MAX,
    HOLDER_MAX,
    Answer,
    DebtorRef,
    FoundAsset,
    OutgoingRequest,
    ProviderError,
    SimulatedProvider,
    default_provider,
    parse_answer,
)


def people(n, start=1):
    return [DebtorRef(person_id(s, birth=date(1975, 1, 1 + s % 28)), f"被执行人{s}", "person")
            for s in range(start, start + n)]


def requests(n, kinds=ALL_KINDS, prefix="r"):
    debtors = people(n) + [DebtorRef(company_code(s), f"武汉某某{s}有限公司", "company") for s in range(1, 4)]
    return [OutgoingRequest(f"{prefix}{i}-{k}", k, (d,), f"（2026）鄂0105执{i}号", "民事诉讼法第二百五十三条")
            for i, d in enumerate(debtors) for k in kinds]


def poll_all(provider, cursor=""):
    answers = []
    while True:
        polled = provider.poll(cursor, 50)
        if not polled.answers:
            return answers, cursor
        answers += polled.answers
        cursor = polled.cursor


def test_over_http_the_answers_are_those_of_the_in_process_network(simulator):
    server = simulator()
    outgoing = requests(20)
    http = HttpProvider(server.url, timeout=2, batch_size=7)
    submitted = http.submit("b1", outgoing)
    assert (len(submitted.accepted), submitted.duplicates) == (len(outgoing), [])
    local = SimulatedProvider()
    local.submit("b1", outgoing)
    over_http, cursor = poll_all(http)
    assert over_http == poll_all(local)[0]
    assert len(over_http) == len(outgoing) and any(a.assets for a in over_http)
    assert cursor.endswith(f":{len(outgoing)}")


def test_resubmitting_a_request_id_is_a_no_op_and_the_answer_is_given_again(simulator):
    server = simulator(latency_min=0.3, latency_max=0.3)
    http = HttpProvider(server.url, timeout=2)
    outgoing = requests(3, kinds=("deposit",))
    http.submit("b1", outgoing)
    again = http.submit("b2", outgoing)
    assert (again.accepted, again.duplicates) == ([], [r.request_id for r in outgoing])
    time.sleep(0.4)
    first, cursor = poll_all(http)
    assert [a.request_id for a in first] == [r.request_id for r in outgoing]
    http.submit("b3", outgoing[:1])
    assert [a.request_id for a in poll_all(http, cursor)[0]] == [outgoing[0].request_id]
    assert server.network.accepted == len(outgoing)


def test_the_cursor_of_a_restarted_network_says_so(simulator):
    http = HttpProvider(simulator().url, timeout=2)
    http.submit("b1", requests(1, kinds=("deposit",)))
    _, cursor = poll_all(http)
    other = HttpProvider(simulator().url, timeout=2)
    assert other.poll(cursor, 10).restarted
    assert not http.poll(cursor, 10).restarted


def test_a_held_back_reply_is_a_timeout_but_the_batch_did_arrive(simulator):
    server = simulator(timeout_rate=1.0, hang=5)
    http = HttpProvider(server.url, timeout=0.3)
    outgoing = requests(2, kinds=("deposit",))
    started = time.monotonic()
    with pytest.raises(ProviderError) as failed:
        http.submit("b1", outgoing)
    assert failed.value.unreachable and "超时" in str(failed.value)
    assert time.monotonic() - started < 2
    server.network.settings.timeout_rate = 0
    again = http.submit("b2", outgoing)
    assert again.duplicates == [r.request_id for r in outgoing]  # sent again: not asked twice


def test_a_refused_connection_is_unreachable(closed_port):
    with pytest.raises(ProviderError) as failed:
        HttpProvider(f"http://127.0.0.1:{closed_port}", timeout=0.3).submit("b", requests(1))
    assert failed.value.unreachable


@pytest.mark.parametrize("status, body", [
    (503, b'{"error": "busy"}'),
    (200, b"<html>502 Bad Gateway</html>"),
    (200, b"\xff\xfe not utf-8"),
    (200, b"[]"),
    (202, b'{"accepted": {}}'),
])
def test_an_error_status_or_a_body_that_is_not_the_reply_is_an_error(fixed_server, status, body):
    http = HttpProvider(fixed_server(status, body), timeout=2)
    with pytest.raises(ProviderError) as failed:
        http.submit("b", requests(1))
    assert not failed.value.unreachable
    with pytest.raises(ProviderError):
        http.poll("", 10)


def asset_json(**over):
    asset = {"debtor": "D1", "kind": "deposit", "holder": "中国工商银行武汉汉阳支行", "value_fen": 123_45, "detail": "活期存款"}
    return asset | over


@pytest.mark.parametrize("bad", [
    asset_json(kind="gold"),
    asset_json(kind="vehicle"),  # not the kind asked
    asset_json(value_fen=-1),
    asset_json(value_fen=12.5),
    asset_json(value_fen="1000"),
    asset_json(value_fen=True),
    asset_json(value_fen=2**63),
    asset_json(holder=""),
    asset_json(holder="行" * (HOLDER_MAX + 1)),
    asset_json(detail="说" * (DETAIL_MAX + 1)),
    asset_json(debtor=""),
    "deposit",
])
def test_an_answer_with_an_invalid_asset_counts_as_failed(bad):
    raw = {"request_id": "r1", "kind": "deposit", "status": "found", "assets": [asset_json(), bad]}
    assert parse_answer(raw) == Answer("r1", "failed", (), "", "答复格式不正确")


def test_parse_answer():
    good = {"request_id": "r1", "kind": "deposit", "status": "found", "assets": [asset_json()],
            "institution": "银行业金融机构"}
    assert parse_answer(good) == Answer(
        "r1", "found", (("D1", FoundAsset("deposit", "中国工商银行武汉汉阳支行", 123_45, "活期存款")),), "银行业金融机构")
    assert parse_answer(dict(good, status="none", assets=[])).status == "none"
    assert parse_answer(dict(good, status="none")).status == "failed"  # none, yet assets
    assert parse_answer(dict(good, status="found", assets=[])).status == "failed"
    assert parse_answer(dict(good, status="maybe")).status == "failed"
    assert parse_answer({"request_id": "r1", "status": "failed", "reason": "系统维护"}).reason == "系统维护"
    assert parse_answer({"status": "found"}) is None
    assert parse_answer(["r1"]) is None


def test_the_size_limits_are_those_of_the_asset_table():
    assert Asset._meta.get_field("holder").max_length == HOLDER_MAX
    assert Asset._meta.get_field("detail").max_length == DETAIL_MAX


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.got.append((self.headers.get("Authorization"), body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_a_batch_with_a_callback_url_gets_its_answers_pushed(simulator):
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    receiver.got = []
    threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        server = simulator(latency_min=0.05, latency_max=0.1)
        outgoing = requests(2, kinds=("deposit", "vehicle"))
        HttpProvider(server.url, timeout=2).submit(
            "b1", outgoing, callback_url=f"http://127.0.0.1:{receiver.server_address[1]}/cb", callback_token="s3cret")
        deadline = time.monotonic() + 3
        while sum(len(b["answers"]) for _, b in receiver.got) < len(outgoing) and time.monotonic() < deadline:
            time.sleep(0.02)
        pushed = [a for _, b in receiver.got for a in b["answers"]]
        assert sorted(a["request_id"] for a in pushed) == sorted(r.request_id for r in outgoing)
        assert {auth for auth, _ in receiver.got} == {"Bearer s3cret"}
        # Polling still has them all: the callback is best effort, polling the record.
        assert len(poll_all(HttpProvider(server.url, timeout=2))[0]) == len(outgoing)
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_the_simulator_refuses_what_it_cannot_read(simulator):
    server = simulator()
    for body in (b"{", b'{"batch_id": "b", "requests": [{"request_id": "x"}]}',
                 b'{"batch_id": "b", "requests": []'):
        request = urllib.request.Request(server.url + "/v1/batches", data=body, method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=2)
        assert refused.value.code == 400
        assert "error" in json.loads(refused.value.read())
        refused.value.close()
    assert server.network.accepted == 0


def test_the_simulator_reports_its_health(simulator):
    server = simulator(timeout_rate=1.0)  # health is never held back
    with urllib.request.urlopen(server.url + "/health", timeout=1) as response:
        body = json.loads(response.read())
    assert response.status == 200 and body["status"] == "ok" and body["epoch"]


def test_serve_refuses_impossible_settings():
    for bad in ({"latency_min": 2, "latency_max": 1}, {"fail_rate": 1.5}, {"down": {"gold": 1}}):
        with pytest.raises(ValueError):
            serve("127.0.0.1", 0, **bad)


def test_the_default_provider_is_http_when_an_inquiry_url_is_set(settings):
    settings.INQUIRY_URL = "http://10.0.0.5:8765/"
    provider = default_provider()
    assert isinstance(provider, HttpProvider)
    assert provider.base_url == "http://10.0.0.5:8765"


@pytest.mark.parametrize("value", [None, ""])
def test_the_default_provider_is_the_simulation_without_an_inquiry_url(settings, value):
    settings.INQUIRY_URL = value
    assert isinstance(default_provider(), SimulatedProvider)
    assert default_provider() is default_provider()  # it holds the pending answers
