"""The cache API against a real server with several processes, under the event and the
prefork MPM: shmcb through httpd's socache with a global mutex, and a real Redis server
started on a free loopback port."""

import http.client
import json
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from redis_server import RedisServer
from sinchfn_testlib import LOG_TIMEOUT, MPMS, START_TIMEOUT, ApacheServer, config_header, free_port

MAX_VALUE = 4096
# Bounded loops: attempts to reach a second process, and the counter load.
OTHER_PROCESS_ATTEMPTS = 200
COUNTER_CLIENTS = 20
COUNTER_REQUESTS = 50
RATE_LIMIT = 10
RATE_CLIENTS = 30

# Several children under prefork, several processes with few threads under event, so
# consecutive requests reach different processes.
MPM_LINES = {
    "prefork": "StartServers 8\nMinSpareServers 8\nMaxSpareServers 16\nServerLimit 40\nMaxRequestWorkers 40\n",
    "event": "StartServers 4\nServerLimit 4\nThreadsPerChild 8\nMinSpareThreads 8\nMaxSpareThreads 32\n"
             "MaxRequestWorkers 32\n",
}


def cache_config(root, port, mpm, functions, cache_line):
    return (config_header(root, port, mpm, ["socache_shmcb"]) + MPM_LINES[mpm] + cache_line +
            f"SinchCacheMaxValueSize {MAX_VALUE}\n"
            f'<Location />\n    SinchFunction "{functions["example"]}"\n</Location>\n'
            f'<Location /state>\n    SinchFunction "{functions["state"]}"\n</Location>\n'
            f'<Location /twin>\n    SinchFunction "{functions["statetwin"]}"\n</Location>\n')


BACKENDS = ["shmcb", "redis"]
SERVERS = [(mpm, backend) for backend in BACKENDS for mpm in MPMS]
SHMCB_LINE = "SinchCache shmcb:4194304\n"


@pytest.fixture(scope="module")
def redis(workdir):
    root = workdir / "redis"
    root.mkdir()
    server = RedisServer(root)
    server.start()
    yield server
    server.stop()


def make_root(workdir, name):
    root = workdir / name
    root.mkdir()
    root.chmod(0o755)
    return root


@pytest.fixture(scope="module", params=SERVERS, ids=[f"{backend}-mpm-{mpm}" for mpm, backend in SERVERS])
def cache_server(request, workdir, functions):
    mpm, backend = request.param
    root = make_root(workdir, f"cache-{backend}-{mpm}")
    cache_line = SHMCB_LINE
    if backend == "redis":
        cache_line = f"SinchCache redis:127.0.0.1:{request.getfixturevalue('redis').port}\n"
    port = free_port()
    apache = ApacheServer(root, port, mpm, cache_config(root, port, mpm, functions, cache_line))
    apache.start()
    yield apache
    apache.stop()


def unique(prefix="k"):
    """Return a key prefix no other test uses, so tests sharing a server stay apart."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}-"


def cache_op(server, op, path="/state/cache", session=None, **fields):
    fields["op"] = op
    client = session or requests
    response = client.post(server.url(path), json=fields, headers={"Connection": "close"}, timeout=10)
    return response.status_code, response.json()


def test_set_then_get(cache_server):
    key = unique() + "greeting"

    status, stored = cache_op(cache_server, "set", key=key, value={"text": "hello", "n": [1, 2]})
    assert status == 200, stored
    status, read = cache_op(cache_server, "get", key=key)

    assert status == 200, read
    assert read["found"] is True
    assert read["value"] == {"text": "hello", "n": [1, 2]}


def test_missing_key_is_absent(cache_server):
    status, read = cache_op(cache_server, "get", key=unique() + "never-set")

    assert status == 200, read
    assert read["found"] is False
    assert read["value"] is None


def test_short_key_works(cache_server):
    # shmcb rejects ids under 4 bytes, and the namespace prefix hides that.
    for key, value in (("a", 1), ("ab", "two"), ("abc", [3])):
        status, stored = cache_op(cache_server, "set", key=key, value=value)
        assert status == 200, stored
        status, read = cache_op(cache_server, "get", key=key)
        assert read["value"] == value


def test_value_read_by_other_process(cache_server):
    key = unique() + "shared"
    status, stored = cache_op(cache_server, "set", key=key, value="from one process")
    assert status == 200, stored
    writer = stored["pid"]

    reader = None
    for _ in range(OTHER_PROCESS_ATTEMPTS):
        status, read = cache_op(cache_server, "get", key=key)
        assert status == 200, read
        assert read["value"] == "from one process"
        if read["pid"] != writer:
            reader = read["pid"]
            break

    assert reader is not None, f"every request reached process {writer}"
    assert reader != writer


def test_ttl_expiry(cache_server):
    key = unique() + "short-lived"
    cache_op(cache_server, "set", key=key, value=1, ttl=1)
    assert cache_op(cache_server, "has", key=key)[1]["found"] is True

    time.sleep(2.2)

    assert cache_op(cache_server, "has", key=key)[1]["found"] is False
    assert cache_op(cache_server, "get", key=key)[1]["found"] is False


def test_extend_keeps_entry(cache_server):
    key = unique() + "extended"
    cache_op(cache_server, "set", key=key, value="kept", ttl=1)

    status, extended = cache_op(cache_server, "extend", key=key, seconds=4)
    time.sleep(2.2)

    assert status == 200, extended
    assert extended["extended"] is True
    assert cache_op(cache_server, "get", key=key)[1]["value"] == "kept"


def test_extend_missing_key(cache_server):
    status, extended = cache_op(cache_server, "extend", key=unique() + "absent", seconds=10)

    assert status == 200, extended
    assert extended["extended"] is False


def test_delete(cache_server):
    key = unique() + "doomed"
    cache_op(cache_server, "set", key=key, value=True)

    first = cache_op(cache_server, "delete", key=key)[1]
    second = cache_op(cache_server, "delete", key=key)[1]

    assert first["deleted"] is True
    assert second["deleted"] is False
    assert cache_op(cache_server, "has", key=key)[1]["found"] is False


def test_keys_glob(cache_server):
    tag = unique()
    for key in ("user:1", "user:22", "order:1", "user-x"):
        cache_op(cache_server, "set", key=tag + key, value=key)

    status, users = cache_op(cache_server, "keys", pattern=tag + "user:*")
    everything = cache_op(cache_server, "keys", pattern=tag + "*")[1]
    middle = cache_op(cache_server, "keys", pattern=tag + "*:1")[1]

    assert status == 200, users
    assert users["keys"] == [tag + "user:1", tag + "user:22"]
    assert everything["keys"] == sorted(tag + key for key in ("user:1", "user:22", "order:1", "user-x"))
    assert middle["keys"] == [tag + "order:1", tag + "user:1"]


def test_keys_skip_expired(cache_server):
    tag = unique()
    cache_op(cache_server, "set", key=tag + "brief", value=1, ttl=1)
    cache_op(cache_server, "set", key=tag + "lasting", value=1, ttl=60)

    time.sleep(2.2)

    assert cache_op(cache_server, "keys", pattern=tag + "*")[1]["keys"] == [tag + "lasting"]


def test_get_many(cache_server):
    tag = unique()
    cache_op(cache_server, "set", key=tag + "a", value=1)
    cache_op(cache_server, "set", key=tag + "b", value={"x": 2})

    status, many = cache_op(cache_server, "getMany", keys=[tag + "a", tag + "b", tag + "missing"])

    assert status == 200, many
    assert many["values"] == {tag + "a": 1, tag + "b": {"x": 2}}


def test_functions_do_not_share_keys(cache_server):
    tag = unique()
    cache_op(cache_server, "set", key=tag + "private", value="state's")

    twin = cache_op(cache_server, "get", path="/twin/cache", key=tag + "private")[1]
    twin_keys = cache_op(cache_server, "keys", path="/twin/cache", pattern=tag + "*")[1]

    assert twin["found"] is False
    assert twin_keys["keys"] == []


def test_value_over_max_rejected(cache_server):
    key = unique() + "large"
    offset = cache_server.log_size()

    status, result = cache_op(cache_server, "set", key=key, value="x" * MAX_VALUE)

    assert status == 400
    assert "SinchCacheMaxValueSize" in result["error"]
    assert f"({MAX_VALUE} bytes)" in result["error"]
    assert cache_op(cache_server, "has", key=key)[1]["found"] is False
    line = cache_server.wait_for_log("SFN0601", offset)
    assert "[sinchfn:info]" in line


def test_value_at_max_accepted(cache_server):
    key = unique() + "largest"
    value = "y" * (MAX_VALUE - 2)  # the JSON text adds two quotes

    status, result = cache_op(cache_server, "set", key=key, value=value)

    assert status == 200, result
    assert cache_op(cache_server, "get", key=key)[1]["value"] == value


@pytest.mark.parametrize("fields, fragment", [
    ({"key": ""}, "the key is empty"),
    ({"key": "k" * 251}, "more than the maximum of 250"),
    ({"key": "ttl", "ttl": -5}, "TTL -5 s is outside"),
], ids=["empty-key", "long-key", "negative-ttl"])
def test_invalid_input_rejected(cache_server, fields, fragment):
    status, result = cache_op(cache_server, "set", value=1, **fields)

    assert status == 400
    assert fragment in result["error"]


def test_null_value_rejected(cache_server):
    status, result = cache_op(cache_server, "set", key=unique(), value=None)

    assert status == 400
    assert "JSON null" in result["error"]


def test_increment_creates_and_adds(cache_server):
    key = unique() + "count"

    first = cache_op(cache_server, "increment", key=key, by=5, ttl=60)[1]
    second = cache_op(cache_server, "increment", key=key, by=-2)[1]

    assert first["value"] == 5
    assert second["value"] == 3
    assert cache_op(cache_server, "get", key=key)[1]["value"] == 3


def test_increment_non_integer_rejected(cache_server):
    key = unique() + "text"
    cache_op(cache_server, "set", key=key, value="abc")

    status, result = cache_op(cache_server, "increment", key=key, by=1)

    assert status == 400
    assert "not an integer" in result["error"]


def test_counter_exact_under_concurrency(cache_server):
    key = unique() + "hits"

    def client(_):
        values = []
        for _ in range(COUNTER_REQUESTS):
            status, result = cache_op(cache_server, "increment", key=key, by=1, ttl=300)
            assert status == 200, result
            values.append(result["value"])
        return values

    with ThreadPoolExecutor(max_workers=COUNTER_CLIENTS) as pool:
        results = [value for values in pool.map(client, range(COUNTER_CLIENTS)) for value in values]

    total = COUNTER_CLIENTS * COUNTER_REQUESTS
    assert sorted(results) == list(range(1, total + 1))
    assert cache_op(cache_server, "get", key=key)[1]["value"] == total


def notification_counts(server, prefix, expected, offset):
    """Wait, bounded by LOG_TIMEOUT, until the error log past offset has the example's
    info line for `expected` notifications whose message starts with prefix, and return
    {message: count}."""
    pattern = re.compile(r"Notification received: (" + re.escape(prefix) + r"\d+) \(notification (\d+)\)$")
    deadline = time.monotonic() + LOG_TIMEOUT
    while True:
        counts = {}
        for line in server.log_since(offset).splitlines():
            match = pattern.search(line)
            if match:
                counts[match.group(1)] = int(match.group(2))
        if len(counts) >= expected or time.monotonic() >= deadline:
            return counts
        time.sleep(0.05)


def test_example_notification_counter_exact(cache_server):
    prefix = unique("notification")
    offset = cache_server.log_size()

    def client(number):
        for request in range(COUNTER_REQUESTS):
            message = f"{prefix}{number:02d}{request:03d}"
            response = requests.post(cache_server.url("/inbound"), json={"message": message},
                                     headers={"Connection": "close"}, timeout=10)
            assert response.status_code == 200, response.text
            assert response.content == b'{"received":true}'

    first = requests.post(cache_server.url("/inbound"), json={"message": f"{prefix}0"}, timeout=10)
    assert first.status_code == 200, first.text
    with ThreadPoolExecutor(max_workers=COUNTER_CLIENTS) as pool:
        list(pool.map(client, range(COUNTER_CLIENTS)))

    total = 1 + COUNTER_CLIENTS * COUNTER_REQUESTS
    counts = notification_counts(cache_server, prefix, total, offset)
    assert len(counts) == total, cache_server.log_since(offset)[-2000:]
    # The Redis servers of this module share one Redis, so the counter may start above 1.
    start = counts[f"{prefix}0"]
    assert start >= 1
    assert sorted(counts.values()) == list(range(start, start + total))


def limited_request(server, source):
    """GET /limited from the loopback source address, so each test is its own client."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(source, 0))
    try:
        connection.request("GET", "/limited", headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


_source_lock = threading.Lock()
_source_next = [2]


def fresh_source():
    """Return a loopback source address (127.0.0.N) no earlier test used."""
    with _source_lock:
        _source_next[0] += 1
        return f"127.0.0.{_source_next[0]}"


def test_rate_limit_exact_under_concurrency(cache_server):
    source = fresh_source()

    with ThreadPoolExecutor(max_workers=RATE_CLIENTS) as pool:
        results = list(pool.map(lambda _: limited_request(cache_server, source), range(RATE_CLIENTS)))

    allowed = [body for status, body in results if status == 200]
    limited = [body for status, body in results if status == 429]
    assert len(allowed) == RATE_LIMIT
    assert len(limited) == RATE_CLIENTS - RATE_LIMIT
    assert sorted(body["remaining"] for body in allowed) == list(range(RATE_LIMIT))
    assert all(body == {"error": "rate limited"} for body in limited)


def test_rate_limit_per_client(cache_server):
    first, second = fresh_source(), fresh_source()
    for _ in range(RATE_LIMIT):
        assert limited_request(cache_server, first)[0] == 200

    assert limited_request(cache_server, first) == (429, {"error": "rate limited"})
    assert limited_request(cache_server, second)[0] == 200


def wait_for_reload(server, offset):
    """Wait until the parent has started its new generation after a graceful restart."""
    line = server.wait_for_log("resuming normal operations", offset, timeout=START_TIMEOUT)
    assert line, server.log_since(offset)
    # Old children stop listening once signalled; new connections then reach new ones.
    time.sleep(1.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_graceful_restart_and_entries(workdir, functions, backend, request):
    # shmcb lives in memory the parent recreates on restart; Redis keeps entries.
    root = make_root(workdir, f"cache-graceful-{backend}")
    cache_line = SHMCB_LINE
    if backend == "redis":
        cache_line = f"SinchCache redis:127.0.0.1:{request.getfixturevalue('redis').port}\n"
    port = free_port()
    server = ApacheServer(root, port, "event", cache_config(root, port, "event", functions, cache_line))
    key = unique() + "survivor"
    server.start()
    try:
        assert cache_op(server, "set", key=key, value="before")[0] == 200
        offset = server.log_size()

        assert server.graceful().returncode == 0
        wait_for_reload(server, offset)
        read = cache_op(server, "get", key=key)[1]
    finally:
        server.stop()

    assert read["found"] is (backend == "redis")


def test_redis_unreachable_reported(workdir, functions):
    root = make_root(workdir, "cache-redis-down")
    port = free_port()
    closed_port = free_port()
    server = ApacheServer(root, port, "event", cache_config(root, port, "event", functions,
                                                            f"SinchCache redis:127.0.0.1:{closed_port}\n"))
    server.start()
    try:
        offset = server.log_size()
        status, result = cache_op(server, "get", key="anything")
        line = server.wait_for_log("SFN0602", offset)
    finally:
        server.stop()

    assert status == 400
    assert f"connecting to Redis at 127.0.0.1:{closed_port} failed" in result["error"]
    assert "[sinchfn:error]" in line
