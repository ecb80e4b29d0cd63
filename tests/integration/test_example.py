"""The example function of handlers/example, served at the root Location."""

import requests

from sinchfn_testlib import source_dir

ICE_EVENT = (source_dir() / "handlers" / "example" / "ice.json").read_bytes()


def test_status_reports_health(server):
    response = requests.get(server.url("/status"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "functionName", "environment", "uptime"}
    assert body["status"] == "healthy"
    assert body["functionName"] == "example"
    assert body["environment"] == "development"
    assert isinstance(body["uptime"], int)
    assert body["uptime"] >= 0


def test_inbound_logs_message(server):
    offset = server.log_size()

    response = requests.post(server.url("/inbound"), json={"message": "hello"}, timeout=5)

    assert response.status_code == 200
    assert response.content == b'{"received":true}'
    request_id = response.headers["X-Request-Id"]
    line = server.wait_for_log("Notification received: hello", offset)
    assert line, server.log_since(offset)
    assert "[sinchfn:info]" in line
    assert "[function example]" in line
    assert f"[request {request_id}]" in line


def test_inbound_without_cache_still_received(server):
    # The shared server loads no mod_socache_shmcb, so the notification counter fails.
    offset = server.log_size()

    response = requests.post(server.url("/inbound"), json={"message": "uncounted"}, timeout=5)

    assert response.status_code == 200
    assert response.content == b'{"received":true}'
    line = server.wait_for_log("Notification received: uncounted", offset)
    assert line.endswith("Notification received: uncounted (notification count unavailable)"), \
        server.log_since(offset)
    assert "[sinchfn:info]" in line


def test_inbound_without_message(server):
    response = requests.post(server.url("/inbound"), json={}, timeout=5)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"error": "Missing message"}


def test_inbound_accepts_charset_parameter(server):
    response = requests.post(server.url("/inbound"), data=b'{"message":"hi"}',
                             headers={"Content-Type": "application/json; charset=utf-8"}, timeout=5)

    assert response.status_code == 200
    assert response.json() == {"received": True}


def test_inbound_empty_json_body(server):
    response = requests.post(server.url("/inbound"), data=b"", headers={"Content-Type": "application/json"},
                             timeout=5)

    assert response.status_code == 400
    assert response.json() == {"error": "Missing message"}


def test_greeting_reads_storage(server):
    response = requests.get(server.url("/greeting"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == b'{"greeting":"Welcome to the example function!"}'


def test_greeting_falls_back_to_variable(server):
    response = requests.get(server.url("/nogreeting/greeting"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == b'{"greeting":"Welcome!"}'



def test_ice_returns_svaml(server):
    response = requests.post(server.url("/ice"), data=ICE_EVENT, headers={"Content-Type": "application/json"},
                             timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == b'{"action":{"name":"hangup"},"instructions":[{"name":"say","text":"Welcome!"}]}'


def test_ice_logs_call_id(server):
    offset = server.log_size()

    response = requests.post(server.url("/ice"), data=ICE_EVENT, headers={"Content-Type": "application/json"},
                             timeout=5)

    assert response.status_code == 200
    line = server.wait_for_log("Incoming call 4398599d1ba84ef3bde0a82dfb61abed", offset)
    assert "[function example]" in line, server.log_since(offset)


def test_ice_get_is_method_not_allowed(server):
    response = requests.get(server.url("/ice"), timeout=5)

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert "POST" in body["error"]
    assert body["route"] == "ice"
    assert body["requestId"] == response.headers["X-Request-Id"]


def test_head_status_has_no_body(server):
    response = requests.head(server.url("/status"), timeout=5)

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Type"] == "application/json"
    assert int(response.headers["Content-Length"]) > 0


def test_health_is_builtin(server):
    response = requests.get(server.url("/health"), timeout=5)

    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}
    assert response.headers["X-Request-Id"]


def test_root_without_default_export(server):
    response = requests.get(server.url("/"), timeout=5)

    assert response.status_code == 404
    body = response.json()
    assert body["route"] == "default"
    assert "example" in body["error"]
