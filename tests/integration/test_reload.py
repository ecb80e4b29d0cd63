"""Graceful reload: `sinchfn build` replaces function.so atomically and
`apache2 -k graceful` loads the new object while requests keep succeeding. Request ids
that the module generates stay unique across children, threads and reloads."""

import re
import threading
import time
from collections import Counter, defaultdict

import pytest
import requests

from conftest import FUNCTION_SOURCES
from sinchfn_testlib import MPMS, ApacheServer, build_function, config_header, copy_function, free_port

# Bounds of the background request loop.
LOAD_MAX_SECONDS = 20.0
LOAD_MAX_REQUESTS = 20000
# Bounded wait until the reloaded function returns its new text.
RELOAD_TIMEOUT = 10.0
# Each burst of the request id test: this many keep-alive sessions at once, each sending
# this many requests.
ID_SESSIONS = 4
ID_REQUESTS_PER_SESSION = 100
# A generated request id: the process start time in microseconds in hex, the process id
# in decimal, and the request's sequence number in that process in hex, without leading
# zeros.
GENERATED_REQUEST_ID = re.compile(r"(?P<start>[1-9a-f][0-9a-f]*)-(?P<pid>[1-9][0-9]*)-(?P<sequence>0|[1-9a-f][0-9a-f]*)")


class RequestLoop(threading.Thread):
    """Sends GET requests, each on a new connection, one after another until stopped or
    a bound is reached. Counts the 200 responses by body and records every failure."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.stopped = threading.Event()
        self.bodies = Counter()
        self.failures = []

    def run(self):
        deadline = time.monotonic() + LOAD_MAX_SECONDS
        for _ in range(LOAD_MAX_REQUESTS):
            if self.stopped.is_set() or time.monotonic() >= deadline:
                return
            try:
                response = requests.get(self.url, headers={"Connection": "close"}, timeout=5)
            except requests.RequestException as error:
                self.failures.append(repr(error))
                continue
            if response.status_code != 200:
                self.failures.append(f"{response.status_code} {response.text[:200]}")
            else:
                self.bodies[response.text] += 1

    def stop(self):
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=LOAD_MAX_SECONDS)


def wait_for_text(url, expected):
    """Request url until its body is expected, bounded, and return the last body."""
    deadline = time.monotonic() + RELOAD_TIMEOUT
    text = None
    while time.monotonic() < deadline:
        text = requests.get(url, timeout=5).text
        if text == expected:
            return text
        time.sleep(0.05)
    return text


def wait_for_count(loop, text, count):
    """Wait, bounded, until the loop has received text count times."""
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while loop.bodies[text] < count and loop.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("mpm", MPMS, ids=[f"mpm-{mpm}" for mpm in MPMS])
def test_graceful_reload_without_failures(mpm, workdir):
    root = workdir / f"reload-{mpm}"
    root.mkdir()
    root.chmod(0o755)
    function_dir = copy_function(FUNCTION_SOURCES / "reload", root / "reload")
    build_function(function_dir)
    port = free_port()
    server = ApacheServer(root, port, mpm, config_header(root, port, mpm) +
                          f'<Location />\n    SinchFunction "{function_dir}"\n</Location>\n')
    url = server.url("/version")
    source = function_dir / "function.c"
    original = source.read_text()

    server.start()
    loop = RequestLoop(url)
    try:
        assert requests.get(url, timeout=5).text == "version-1"
        loop.start()

        for version in ("version-2", "version-3"):
            source.write_text(original.replace('"version-1"', f'"{version}"'))
            build_function(function_dir)
            graceful = server.graceful()
            assert graceful.returncode == 0, graceful.stdout
            assert wait_for_text(url, version) == version
            assert loop.is_alive(), "the request loop reached its bound before the reload finished"
        wait_for_count(loop, "version-3", 20)
    finally:
        loop.stop()
        server.stop()

    assert loop.failures == []
    assert loop.bodies["version-1"] > 0
    assert loop.bodies["version-3"] > 0
    assert set(loop.bodies) <= {"version-1", "version-2", "version-3"}
    log = server.log_text()
    assert "exit signal" not in log
    # One line for the start and one for each of the two reloads.
    assert log.count("configured -- resuming normal operations") == 3


def send_id_burst(url, results):
    """Send ID_SESSIONS keep-alive sessions of ID_REQUESTS_PER_SESSION GETs at once and
    append (status, X-Request-Id) of each response to results."""
    lock = threading.Lock()

    def session_loop():
        with requests.Session() as session:
            for _ in range(ID_REQUESTS_PER_SESSION):
                response = session.get(url, timeout=5)
                with lock:
                    results.append((response.status_code, response.headers.get("X-Request-Id")))

    threads = [threading.Thread(target=session_loop, daemon=True) for _ in range(ID_SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def wait_for_new_process(url, results, old_pids):
    """Request url until an id names a process id outside old_pids, bounded, appending
    every (status, X-Request-Id) to results. Returns whether such an id arrived."""
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while time.monotonic() < deadline:
        response = requests.get(url, timeout=5)
        results.append((response.status_code, response.headers.get("X-Request-Id")))
        match = GENERATED_REQUEST_ID.fullmatch(response.headers.get("X-Request-Id") or "")
        if match and match["pid"] not in old_pids:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("mpm", MPMS, ids=[f"mpm-{mpm}" for mpm in MPMS])
def test_generated_request_ids_unique(mpm, workdir):
    # Without mod_unique_id the module builds each id from a per-process prefix and an
    # atomic per-process counter, which the event MPM's threads share.
    root = workdir / f"request-ids-{mpm}"
    root.mkdir()
    root.chmod(0o755)
    function_dir = copy_function(FUNCTION_SOURCES / "reload", root / "reload")
    build_function(function_dir)
    port = free_port()
    server = ApacheServer(root, port, mpm, config_header(root, port, mpm) +
                          f'<Location />\n    SinchFunction "{function_dir}"\n</Location>\n')
    url = server.url("/version")
    results = []

    server.start()
    try:
        send_id_burst(url, results)
        old_pids = {GENERATED_REQUEST_ID.fullmatch(request_id)["pid"] for _, request_id in results}
        graceful = server.graceful()
        assert graceful.returncode == 0, graceful.stdout
        reloaded = wait_for_new_process(url, results, old_pids)
        send_id_burst(url, results)
    finally:
        server.stop()

    request_ids = [request_id for _, request_id in results]
    assert reloaded
    assert [status for status, _ in results] == [200] * len(results)
    assert len(results) >= 2 * ID_SESSIONS * ID_REQUESTS_PER_SESSION
    for request_id in request_ids:
        assert GENERATED_REQUEST_ID.fullmatch(request_id), request_id
    assert len(set(request_ids)) == len(request_ids)
    sequences = defaultdict(list)
    for request_id in request_ids:
        match = GENERATED_REQUEST_ID.fullmatch(request_id)
        sequences[(match["start"], match["pid"])].append(int(match["sequence"], 16))
    # Every request reached the handler, so each process numbered its requests 0, 1, 2, ...
    for prefix, numbers in sequences.items():
        assert sorted(numbers) == list(range(len(numbers))), prefix
    pids = [pid for _, pid in sequences]
    assert len(set(pids)) == len(pids)
    assert str(server.process.pid) not in pids
