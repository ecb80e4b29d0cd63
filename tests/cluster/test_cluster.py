"""Three Apache nodes behind mod_proxy_balancer share one Redis cache and one PostgreSQL
database. Load goes through the balancer, and results are read from each node directly.

The node-stop test runs last in this file because it leaves one node stopped.
"""

import http.client
import json
import os
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import API_TOKEN, NODE_NAMES

REQUEST_TIMEOUT = 30

# The example's rate limit: 10 requests per 60-second window per client address.
RATE_LIMIT = 10
RATE_REQUESTS_PER_ADDRESS = 30
RATE_THREADS = 10
# Source addresses of the rate-limited clients. Both are on the loopback interface, and
# every connection goes to the balancer on 127.0.0.1.
RATE_CLIENT_ADDRESSES = ("127.0.0.2", "127.0.0.3")
FORGED_ADDRESS = "203.0.113.7"

COUNTER_CLIENTS = 20
COUNTER_INCREMENTS = 10_000

WRITER_CLIENTS = 20
WRITES_PER_CLIENT = 60
# The node is stopped once this many writes were acknowledged.
WRITES_BEFORE_STOP = 300
STOP_WAIT_SECONDS = 120
DEAD_NODE_WAIT_SECONDS = 10
READS_AFTER_STOP = 12


def example_key(function_name: str, key: str) -> str:
    """Return the Redis key under which mod_sinchfn keeps a function's cache key."""
    return f"sinchfn:{len(function_name)}:{function_name}:{key}"


def get_json(url: str, **kwargs):
    response = requests.get(url, timeout=REQUEST_TIMEOUT, **kwargs)
    assert response.status_code == 200, f"GET {url}: {response.status_code} {response.text}"
    return response.json()


def post_record(session, base_url: str, record_id: str, value: str):
    return session.post(f"{base_url}/shared/record", params={"id": record_id}, json={"value": value},
                        timeout=REQUEST_TIMEOUT)


def limited_status(balancer_port: int, source_address: str, forged: bool) -> int:
    """Send GET /example/limited to the balancer from source_address and return the status."""
    connection = http.client.HTTPConnection("127.0.0.1", balancer_port, timeout=REQUEST_TIMEOUT,
                                            source_address=(source_address, 0))
    headers = {"Connection": "close"}
    if forged:
        headers["X-Forwarded-For"] = FORGED_ADDRESS
    try:
        connection.request("GET", "/example/limited", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_nodes_share_variables_and_secrets(cluster):
    seen = set()
    for node in cluster.nodes:
        body = get_json(node.url("/shared/whoami"), headers={"X-Token": API_TOKEN})
        assert body["greeting"] == "Hello from the cluster"
        assert body["tokenMatches"] is True
        seen.add(body["node"])
    assert seen == set(NODE_NAMES)


def test_balancer_round_robin(cluster):
    answered = Counter(get_json(cluster.balancer.url("/shared/whoami"))["node"] for _ in range(len(NODE_NAMES) * 4))
    assert set(answered) == set(NODE_NAMES)


def test_rate_limit_per_client_across_nodes(cluster):
    jobs = [(address, address == RATE_CLIENT_ADDRESSES[1])
            for address in RATE_CLIENT_ADDRESSES for _ in range(RATE_REQUESTS_PER_ADDRESS)]
    with ThreadPoolExecutor(RATE_THREADS) as pool:
        statuses = list(pool.map(lambda job: (job[0], limited_status(cluster.balancer.port, *job)), jobs))

    for address in RATE_CLIENT_ADDRESSES:
        # Every request incremented the counter once, and all in one window, because a
        # counter that expired during the burst would contain fewer.
        assert cluster.redis.command("GET", example_key("example", f"ratelimit:{address}")) == \
            str(RATE_REQUESTS_PER_ADDRESS).encode()
        of_address = Counter(status for source, status in statuses if source == address)
        assert of_address[200] == RATE_LIMIT, f"{address}: {of_address}"
        assert of_address[429] == RATE_REQUESTS_PER_ADDRESS - RATE_LIMIT, f"{address}: {of_address}"
    # mod_remoteip trusts only the balancer, so a client's own X-Forwarded-For is ignored.
    assert cluster.redis.command("EXISTS", example_key("example", f"ratelimit:{FORGED_ADDRESS}")) == 0
    assert cluster.redis.command("EXISTS", example_key("example", "ratelimit:127.0.0.1")) == 0


def test_counter_exact_on_every_node(cluster):
    per_client = COUNTER_INCREMENTS // COUNTER_CLIENTS

    def increment(_client):
        values, nodes, failures = [], Counter(), []
        with requests.Session() as session:
            for _ in range(per_client):
                response = session.post(cluster.balancer.url("/shared/counter"), timeout=REQUEST_TIMEOUT)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text}")
                    continue
                body = response.json()
                values.append(body["value"])
                nodes[body["node"]] += 1
        return values, nodes, failures

    with ThreadPoolExecutor(COUNTER_CLIENTS) as pool:
        results = list(pool.map(increment, range(COUNTER_CLIENTS)))

    failures = [failure for _, _, client_failures in results for failure in client_failures]
    assert failures == []
    values = sorted(value for client_values, _, _ in results for value in client_values)
    # Each increment returned a distinct value, so none was lost or applied twice.
    assert values == list(range(1, COUNTER_INCREMENTS + 1))
    served = sum((nodes for _, nodes, _ in results), Counter())
    assert set(served) == set(NODE_NAMES)
    for node in cluster.nodes:
        assert get_json(node.url("/shared/counter"))["value"] == COUNTER_INCREMENTS, node.name


def test_record_written_on_one_node_read_on_others(cluster):
    for writer in cluster.nodes:
        record_id = f"from-{writer.name}-{uuid.uuid4().hex[:8]}"
        value = f"written by {writer.name}"
        with requests.Session() as session:
            response = post_record(session, writer.base_url, record_id, value)
        assert response.status_code == 200, response.text
        assert response.json()["node"] == writer.name

        for reader in cluster.nodes:
            if reader is writer:
                continue
            body = get_json(reader.url("/shared/record"), params={"id": record_id})
            assert body["node"] == reader.name
            assert body["cache"] == value, f"cache on {reader.name}"
            assert body["storage"] == value, f"storage on {reader.name}"
            assert body["row"] == value, f"database row on {reader.name}"


def test_call_log_shared_by_nodes(cluster):
    callid = f"cluster-call-{uuid.uuid4().hex[:8]}"
    dice = {"event": "dice", "callid": callid, "result": "ANSWERED", "reason": "CALLERHANGUP", "duration": 42}
    response = requests.post(cluster.nodes[0].url("/calllog/dice"), data=json.dumps(dice),
                             headers={"Content-Type": "application/json"}, timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200, response.text

    for reader in cluster.nodes[1:]:
        calls = get_json(reader.url("/calllog/calls"), params={"limit": 1000})["calls"]
        recorded = [call for call in calls if call["callid"] == callid]
        assert len(recorded) == 1, reader.name
        assert recorded[0]["duration"] == 42


def kill_node(node) -> None:
    """Stop a node the hard way: SIGKILL to its process group, so requests it was
    serving are cut off, then wait until nothing accepts connections on its port."""
    os.killpg(node.process.pid, signal.SIGKILL)
    node.process.wait(timeout=DEAD_NODE_WAIT_SECONDS)
    deadline = time.monotonic() + DEAD_NODE_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", node.port), timeout=0.5):
                pass
        except OSError:
            return
        time.sleep(0.05)
    raise AssertionError(f"{node.name} still accepts connections on port {node.port} after SIGKILL")


def test_node_stop_loses_no_acknowledged_write(cluster):
    victim = cluster.node("node3")
    survivors = [node for node in cluster.nodes if node is not victim]
    acknowledged_count = 0
    count_lock = threading.Lock()
    enough_written = threading.Event()
    node_dead = threading.Event()

    def write(client):
        nonlocal acknowledged_count
        outcomes = []
        with requests.Session() as session:
            for n in range(WRITES_PER_CLIENT):
                record_id = f"w{client}-{n}"
                value = f"value {client}-{n}"
                after_stop = node_dead.is_set()
                try:
                    response = post_record(session, cluster.balancer.base_url, record_id, value)
                    status = response.status_code
                    node = response.json().get("node") if status == 200 else None
                except requests.RequestException as error:
                    status, node = f"{type(error).__name__}", None
                outcomes.append((record_id, value, status, node, after_stop))
                if status == 200:
                    with count_lock:
                        acknowledged_count += 1
                        if acknowledged_count >= WRITES_BEFORE_STOP:
                            enough_written.set()
        return outcomes

    with ThreadPoolExecutor(WRITER_CLIENTS) as pool:
        futures = [pool.submit(write, client) for client in range(WRITER_CLIENTS)]
        enough_written.wait(timeout=STOP_WAIT_SECONDS)
        kill_node(victim)
        node_dead.set()
        outcomes = [outcome for future in futures for outcome in future.result()]

    acknowledged = [(record_id, value, node) for record_id, value, status, node, _ in outcomes if status == 200]
    failed = [(record_id, status) for record_id, _, status, _, _ in outcomes if status != 200]
    failed_after_stop = [(record_id, status) for record_id, _, status, _, after_stop in outcomes
                         if after_stop and status != 200]

    # The stopped node took part before it was stopped.
    assert any(node == victim.name for _, _, node in acknowledged)
    # A request that the stopped node was serving may fail, because the balancer does not
    # resend a POST that may have run. Each client has one request in flight at a time.
    assert len(failed) <= WRITER_CLIENTS, failed
    # Once the node's port refuses connections, the balancer sends every request to another node.
    assert failed_after_stop == []
    assert len(acknowledged) + len(failed) == WRITER_CLIENTS * WRITES_PER_CLIENT

    for reader in survivors:
        with requests.Session() as session:
            for record_id, value, _ in acknowledged:
                response = session.get(reader.url("/shared/record"), params={"id": record_id}, timeout=REQUEST_TIMEOUT)
                assert response.status_code == 200, f"{record_id} on {reader.name}: {response.text}"
                body = response.json()
                assert body["cache"] == value, f"cache of {record_id} on {reader.name}"
                assert body["storage"] == value, f"storage of {record_id} on {reader.name}"
                assert body["row"] == value, f"database row of {record_id} on {reader.name}"

    answered = Counter(get_json(cluster.balancer.url("/shared/whoami"))["node"] for _ in range(READS_AFTER_STOP))
    assert set(answered) == {node.name for node in survivors}
