"""The request log: the sinchfn-* request notes in a LogFormat, the sinchfn and
sinchfn_json formats of conf/sinchfn.conf, and the record on the dev server's terminal."""

import json
import re
import shutil
import time

import pytest
import requests

from sinchfn_testlib import (LOG_TIMEOUT, ApacheServer, DevServer, config_header, free_port, make_shared_dir,
                             run_sinchfn, source_dir)

# Every field but time and duration, so tests can compare whole lines.
EXACT_FORMAT = '%{sinchfn-request-id}n %{sinchfn-function}n %{sinchfn-route}n %m %>s \\"%{sinchfn-log}n\\"'
TOKEN_IN_URL = "url-token-3f9d2c"


@pytest.fixture(scope="module")
def log_server(workdir, functions):
    """A server with the example function at /fn that writes three access logs."""
    root = workdir / "request-log"
    root.mkdir()
    root.chmod(0o755)
    port = free_port()
    config = config_header(root, port, "event") + f"""
Include "{source_dir() / 'conf' / 'sinchfn.conf'}"
LogFormat "{EXACT_FORMAT}" exact
CustomLog "{root}/exact.log" exact
CustomLog "{root}/text.log" sinchfn
CustomLog "{root}/json.log" sinchfn_json
<Location /fn>
    SinchFunction "{functions['example']}"
    SinchEnvironment development
</Location>
"""
    server = ApacheServer(root, port, "event", config)
    server.start()
    yield server
    server.stop()


def log_lines(server, name, count):
    """Wait, bounded, until the log has count lines and return them."""
    path = server.root / name
    deadline = time.monotonic() + LOG_TIMEOUT
    lines = []
    while time.monotonic() < deadline:
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        if len(lines) >= count:
            break
        time.sleep(0.05)
    return lines


def request_and_line(server, method, path, **kwargs):
    """Send one request and return the response and the exact.log line it added."""
    before = len(log_lines(server, "exact.log", 0))
    response = requests.request(method, server.url(path), timeout=5, **kwargs)
    lines = log_lines(server, "exact.log", before + 1)
    assert len(lines) == before + 1, lines
    return response, lines[-1]


def test_log_record_of_handler_lines(log_server):
    response, line = request_and_line(log_server, "POST", "/fn/inbound", json={"message": "hello"})
    request_id = response.headers["X-Request-Id"]

    # The server loads no mod_socache_shmcb, so the example's notification counter fails.
    assert line == (f'{request_id} example inbound POST 200 '
                    '"info: Notification received: hello (notification count unavailable)"')


def test_log_record_without_handler_lines(log_server):
    response, line = request_and_line(log_server, "POST", "/fn/inbound", json={})

    assert response.status_code == 400
    assert line == f'{response.headers["X-Request-Id"]} example inbound POST 400 ""'


def test_log_record_of_missing_export(log_server):
    response, line = request_and_line(log_server, "GET", "/fn/nosuch")

    assert line == f'{response.headers["X-Request-Id"]} example nosuch GET 404 ""'


def test_log_record_escapes_handler_text(log_server):
    response, line = request_and_line(log_server, "POST", "/fn/inbound", json={"message": 'say "hi"\nnext\tline'})

    assert line == (f'{response.headers["X-Request-Id"]} example inbound POST 200 '
                    '"info: Notification received: say \\"hi\\" next line (notification count unavailable)"')


def test_log_record_omits_url_token(log_server):
    response, line = request_and_line(log_server, "GET", f"/fn/status?access_token={TOKEN_IN_URL}")

    assert response.status_code == 400
    assert line == f'{response.headers["X-Request-Id"]} example - GET 400 ""'
    for name in ("exact.log", "text.log", "json.log", "error.log"):
        assert TOKEN_IN_URL not in (log_server.root / name).read_text(errors="replace")


def test_text_format_record(log_server):
    before = len(log_lines(log_server, "text.log", 0))
    response = requests.get(log_server.url("/fn/status"), timeout=5)
    lines = log_lines(log_server, "text.log", before + 1)

    pattern = (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} " + re.escape(response.headers["X-Request-Id"]) +
               r' example status GET 200 \d+ms ""')
    assert re.fullmatch(pattern, lines[-1]), lines[-1]


def test_json_format_record(log_server):
    before = len(log_lines(log_server, "json.log", 0))
    response = requests.post(log_server.url("/fn/inbound"), json={"message": 'quote " and \\ slash'}, timeout=5)
    lines = log_lines(log_server, "json.log", before + 1)

    record = json.loads(lines[-1])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}", record.pop("time"))
    assert isinstance(record.pop("durationMs"), int)
    assert record == {"requestId": response.headers["X-Request-Id"], "function": "example", "route": "inbound",
                      "method": "POST", "path": "/fn/inbound", "status": 200,
                      "log": 'info: Notification received: quote " and \\ slash (notification count unavailable)'}


def test_dev_terminal_shows_records():
    parent = make_shared_dir("sinchfn-devlog-")
    try:
        assert run_sinchfn("new", "shown", "--template", "status", cwd=parent).returncode == 0
        server = DevServer(parent / "shown", free_port(), parent / "dev.out")
        server.start()
        try:
            response = requests.post(server.url("/inbound"), json={"message": "on the terminal"}, timeout=5)
            expected = (f' {response.headers["X-Request-Id"]} shown inbound POST 200 '
                        r'\d+ms "info: Notification received: on the terminal \(notification 1\)"')
            deadline = time.monotonic() + LOG_TIMEOUT
            while not re.search(expected, server.text()) and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            server.stop()
        assert re.search(expected, server.text()), server.text()
    finally:
        shutil.rmtree(parent, ignore_errors=True)
