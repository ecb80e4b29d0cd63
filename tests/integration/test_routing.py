"""Routing of request paths to exports, and the runtime's errors for unknown routes."""

import json

import pytest
import requests

from sinchfn_testlib import exchange, parse_response, parse_responses


@pytest.mark.parametrize("path", ["/status/", "/x/y/status", "//status", "/./status", "/status?verbose=1"])
def test_status_route_variants(server, path):
    response = requests.get(server.url(path), timeout=5)

    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_encoded_slash_stays_in_segment(server):
    response = requests.get(server.url("/a%2Fstatus"), timeout=5)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["route"] == "a/status"
    assert body["requestId"] == response.headers["X-Request-Id"]


@pytest.mark.parametrize("path, route", [("/a%2F..%2Fstatus", "a/../status"), ("/a/..%2Fstatus", "../status"),
                                         ("/%2e%2e%2Fstatus", "../status")])
def test_encoded_slash_no_traversal(server, path, route):
    response = parse_response(exchange(server.port, b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                                       % path.encode()))

    assert response.status == 404
    assert json.loads(response.body)["route"] == route


def test_unknown_export(server):
    response = requests.get(server.url("/probe/nosuch"), timeout=5)

    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error", "route", "requestId"}
    assert "nosuch" in body["error"]
    assert body["route"] == "nosuch"
    assert body["requestId"] == response.headers["X-Request-Id"]


def test_location_root_runs_default(server):
    for path in ("/probe", "/probe/"):
        response = requests.get(server.url(path), timeout=5)

        assert response.status_code == 200, path
        assert response.json() == {"export": "default", "route": "default"}, path


def test_voice_name_anywhere_in_path(server):
    response = requests.post(server.url("/probe/dice/extra"), json={"event": "dice"}, timeout=5)

    assert response.status_code == 200
    assert response.content == b""


def test_webhook_route_name(server):
    response = requests.post(server.url("/probe/webhook/sms-inbound"), json={}, timeout=5)

    assert response.status_code == 404
    assert response.json()["route"] == "smsInboundWebhook"


def test_echo_reports_path_and_route(server):
    response = requests.get(server.url("/probe/a/b/echo"), timeout=5)

    assert response.status_code == 200
    body = response.json()
    assert body["path"] == "/probe/a/b/echo"
    assert body["route"] == "echo"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_endpoint_sees_method(server, method):
    response = requests.request(method, server.url("/probe/echo"), timeout=5)

    assert response.status_code == 200
    assert response.json()["method"] == method


def test_query_keeps_repeated_keys(server):
    response = requests.get(server.url("/probe/echo?k=1&k=2&x=a%20b&plus=c+d&empty="), timeout=5)

    assert response.status_code == 200
    assert response.json()["query"] == [["k", "1"], ["k", "2"], ["x", "a b"], ["plus", "c d"], ["empty", ""]]


@pytest.mark.parametrize("query", ["a=%zz", "x=1&a=%4", "b=%00"])
def test_query_invalid_escape(server, query):
    # A raw request, because requests re-encodes an invalid escape as %25.
    response = parse_response(exchange(server.port, b"GET /probe/echo?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                    b"Connection: close\r\n\r\n" % query.encode()))

    assert response.status == 400
    body = json.loads(response.body)
    assert "query string" in body["error"]
    assert body["route"] == "echo"
    assert body["requestId"] == response.header("X-Request-Id")


def test_request_header_reaches_handler(server):
    response = requests.get(server.url("/probe/echo"), headers={"X-Test": "header value"}, timeout=5)

    assert response.json()["xTest"] == "header value"


def test_rejected_body_not_read_as_request(server):
    # A 405 response must still consume the request body, or the body would be parsed
    # as the next request on the connection.
    smuggled = b"GET /probe/echo?marker=smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    payload = (b"PUT /ice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
               b"Content-Length: %d\r\n\r\n%s" % (len(smuggled), smuggled)
               + b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    responses = parse_responses(exchange(server.port, payload))

    assert [response.status for response in responses] == [405, 200]
    assert b'"healthy"' in responses[1].body
