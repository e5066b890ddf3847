"""Real HTTP servers on 127.0.0.1, each on a free port, each in its own thread:
the inquiry simulator, and a server that always gives one fixed answer (for
the broken answers the simulator never gives)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from zhixing.inquiry.http import serve


def _run(server):
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def simulator():
    """start(delay=…, fail_rate=…, seed=…) -> a running simulator; stopped after the test."""
    running = []

    def start(**settings):
        server = serve("127.0.0.1", 0, **settings)
        running.append((server, _run(server)))
        return server

    yield start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _FixedHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fixed_server():
    """start(status, body: bytes) -> the URL of a server that answers every POST so."""
    running = []

    def start(status: int, body: bytes) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _FixedHandler)
        server.daemon_threads = True
        server.answer = (status, body)
        running.append((server, _run(server)))
        return "http://127.0.0.1:%d" % server.server_address[1]

    yield start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def closed_port():
    """A port nothing listens on: connections to it are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
