"""A handler that crashes its child: requests in flight on other children complete,
the server keeps serving, and the error log names the function, handler and route."""

import threading
import time

import pytest
import requests

from conftest import FUNCTION_SOURCES
from sinchfn_testlib import MPMS, ApacheServer, build_function, config_header, copy_function, free_port

# Requests held in flight while the crash happens.
HELD_REQUESTS = 3
# Bounded wait until every held request has reached its handler.
HOLD_TIMEOUT = 15.0
# A path segment longer than the crash line's 2048-byte buffer.
LONG_SEGMENT = 4000


class HeldRequest(threading.Thread):
    """One GET of /hold, kept in flight until the release file exists."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.response = None
        self.error = None

    def run(self):
        try:
            self.response = requests.get(self.url, headers={"Connection": "close"}, timeout=15)
        except requests.RequestException as error:
            self.error = error


def wait_for_held(server, offset):
    """Wait, bounded, until HELD_REQUESTS handlers logged "hold started" past offset."""
    deadline = time.monotonic() + HOLD_TIMEOUT
    while server.log_since(offset).count("hold started") < HELD_REQUESTS and time.monotonic() < deadline:
        time.sleep(0.05)
    return server.log_since(offset).count("hold started")


def start_crash_server(workdir, mpm, name="crash"):
    root = workdir / f"{name}-{mpm}"
    root.mkdir()
    root.chmod(0o755)
    function_dir = copy_function(FUNCTION_SOURCES / "crash", root / "crash")
    build_function(function_dir)
    release = root / "release"
    port = free_port()
    # Event: one thread per child, so each held request has a child of its own.
    threads = "ThreadsPerChild 1\nThreadLimit 1\nMinSpareThreads 1\nMaxSpareThreads 8\n" if mpm == "event" else ""
    server = ApacheServer(root, port, mpm, config_header(root, port, mpm) + threads +
                          f'<Location />\n    SinchFunction "{function_dir}"\n'
                          f'    SinchVariable HOLD_FILE "{release}"\n</Location>\n')
    server.start()
    return server, release


@pytest.mark.parametrize("mpm", MPMS, ids=[f"mpm-{mpm}" for mpm in MPMS])
def test_crash_kills_only_its_child(mpm, workdir):
    server, release = start_crash_server(workdir, mpm)
    held = [HeldRequest(server.url("/hold")) for _ in range(HELD_REQUESTS)]
    try:
        offset = server.log_size()
        for request in held:
            request.start()
        assert wait_for_held(server, offset) == HELD_REQUESTS

        crash_offset = server.log_size()
        with pytest.raises(requests.ConnectionError):
            # A quote and a newline in the decoded path must not break or forge the line.
            requests.get(server.url("/%22q%0Ax/crash"), headers={"Connection": "close"}, timeout=10)
        crash_line = server.wait_for_log("SFN0310", crash_offset)
        release.write_text("")
        for request in held:
            request.join(timeout=15)

        after = [requests.get(server.url("/ok"), timeout=5) for _ in range(5)]
        exit_line = server.wait_for_log("exit signal Segmentation fault", crash_offset)
    finally:
        release.touch()
        server.stop()

    assert "function 'crashtest', handler 'crash' (route 'crash') crashed with SIGSEGV" in crash_line
    assert "(GET /\\x22q\\x0ax/crash); the child process exits" in crash_line
    assert exit_line
    for request in held:
        assert request.error is None
        assert request.response.status_code == 200
        assert request.response.text == "released"
    assert [response.status_code for response in after] == [200] * 5
    assert [response.text for response in after] == ["ok"] * 5


def crash_log_lines(server, path):
    """Request path, which crashes its child, and wait, bounded, for httpd's exit line.
    Returns the SFN0310 lines and the exit line, read after the exit line was logged, so
    a crash line without its newline would show the exit line joined to it."""
    offset = server.log_size()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url(path), headers={"Connection": "close"}, timeout=10)
    exit_line = server.wait_for_log("exit signal Segmentation fault", offset)
    crash_lines = [line for line in server.log_since(offset).splitlines() if "SFN0310" in line]
    return crash_lines, exit_line


@pytest.mark.parametrize("mpm", MPMS, ids=[f"mpm-{mpm}" for mpm in MPMS])
def test_crash_line_escapes_and_truncates(mpm, workdir):
    server, release = start_crash_server(workdir, mpm, "crash-line")
    try:
        # A backslash, DEL and the two UTF-8 bytes of U+00E9 in the decoded path.
        escaped_lines, escaped_exit_line = crash_log_lines(server, "/%5C%7F%C3%A9/crash")
        long_lines, long_exit_line = crash_log_lines(server, "/" + "A" * LONG_SEGMENT + "/crash")
    finally:
        release.touch()
        server.stop()

    assert escaped_exit_line
    assert len(escaped_lines) == 1
    assert escaped_lines[0].endswith("(GET /\\x5c\\x7f\\xc3\\xa9/crash); the child process exits")
    assert long_exit_line
    assert len(long_lines) == 1
    assert long_lines[0].startswith("[sinchfn:crit] [pid ")
    assert "function 'crashtest', handler 'crash' (route 'crash') crashed with SIGSEGV on request " in long_lines[0]
    # The signal handler cuts the line inside the path to fit its 2048-byte buffer.
    truncated_path = long_lines[0].split(" (GET /", 1)[1]
    assert truncated_path == "A" * len(truncated_path)
    assert 0 < len(truncated_path) < LONG_SEGMENT
    assert len(long_lines[0].encode()) < 2048
