"""Request bodies: framing (chunked, Content-Length, Expect: 100-continue), the
SinchMaxBodySize cap, and strict JSON, form and text parsing before a handler runs."""

import json
import socket
import time
import uuid

import pytest
import requests

from conftest import SMALL_MAX_BODY
from sinchfn_testlib import (chunk, connect, exchange, parse_response, parse_responses, read_head,
                             read_until_close)

DEFAULT_MAX_BODY = 1024 * 1024
# How long a test waits for a log line that must not appear.
ABSENCE_WAIT = 1.0


def post_raw(server, path, body, content_type="application/json"):
    """POST body with Content-Length on a new connection and return the parsed response."""
    payload = (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: %s\r\n"
               b"Content-Length: %d\r\n\r\n%s" % (path.encode(), content_type.encode(), len(body), body))
    return parse_response(exchange(server.port, payload))


def chunked_head(path, content_type=b"application/json"):
    return (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: %s\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" % (path.encode(), content_type))


def assert_server_answers(server):
    response = requests.get(server.url("/status"), timeout=5)
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


# ---- framing ----

def test_chunked_body_with_requests(server):
    def body():
        yield b'{"message":'
        yield b'"hi"}'

    response = requests.post(server.url("/inbound"), data=body(), headers={"Content-Type": "application/json"},
                             timeout=5)

    assert response.status_code == 200
    assert response.json() == {"received": True}


def test_chunked_body_raw(server):
    payload = chunked_head("/inbound") + chunk(b'{"mess') + chunk(b'age":"hi"}') + b"0\r\n\r\n"

    response = parse_response(exchange(server.port, payload))

    assert response.status == 200
    assert response.body == b'{"received":true}'


def test_truncated_chunked_body_skips_handler(server):
    marker = uuid.uuid4().hex
    offset = server.log_size()

    with connect(server.port) as sock:
        client_address = "%s:%d" % sock.getsockname()
        sock.sendall(chunked_head(f"/probe/echo?marker={marker}") + chunk(b'{"message":'))
        sock.shutdown(socket.SHUT_WR)
        answer = read_until_close(sock)

    response = parse_response(answer)
    assert response.status == 400
    assert json.loads(response.body) == {"error": "The request body could not be read completely.",
                                         "route": "echo",
                                         "requestId": response.header("X-Request-Id")}
    line = server.wait_for_log("SFN0202", offset)
    assert client_address in line, server.log_since(offset)
    time.sleep(ABSENCE_WAIT)
    assert not [line for line in server.log_text().splitlines() if marker in line and "SFN0400" in line]


def test_chunked_body_cut_by_close_skips_handler(server):
    marker = uuid.uuid4().hex
    offset = server.log_size()

    with connect(server.port) as sock:
        client_address = "%s:%d" % sock.getsockname()
        sock.sendall(chunked_head(f"/probe/echo?marker={marker}") + chunk(b'{"message":'))

    assert client_address in server.wait_for_log("SFN0202", offset), server.log_since(offset)
    time.sleep(ABSENCE_WAIT)
    assert not [line for line in server.log_text().splitlines() if marker in line and "SFN0400" in line]


def test_short_content_length_body_skips_handler(server):
    marker = uuid.uuid4().hex
    offset = server.log_size()

    with connect(server.port) as sock:
        client_address = "%s:%d" % sock.getsockname()
        sock.sendall(b"POST /probe/echo?marker=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 50\r\n\r\n{\"message\":" % marker.encode())
        sock.shutdown(socket.SHUT_WR)
        answer = read_until_close(sock)

    assert parse_response(answer).status == 400
    assert client_address in server.wait_for_log("SFN0202", offset), server.log_since(offset)
    time.sleep(ABSENCE_WAIT)
    assert not [line for line in server.log_text().splitlines() if marker in line and "SFN0400" in line]


def test_expect_continue_small_json(server):
    body = b'{"message":"hi"}'

    with connect(server.port) as sock:
        sock.sendall(b"POST /inbound HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n"
                     % len(body))
        interim = read_head(sock)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
        sock.sendall(body)
        response = parse_response(read_until_close(sock))

    assert response.status == 200
    assert response.body == b'{"received":true}'


def test_expect_continue_with_requests(server):
    response = requests.post(server.url("/inbound"), data=b'{"message":"hi"}', timeout=5,
                             headers={"Content-Type": "application/json", "Expect": "100-continue"})

    assert response.status_code == 200
    assert response.json() == {"received": True}


@pytest.mark.parametrize("path, status", [("/inbound", 200), ("/probe/nosuch", 404)])
def test_pipelined_request_after_body(server, path, status):
    # Apache closes the connection after a 400, so each first request here keeps the
    # connection open. Its body must be consumed before the next request is parsed.
    body = b'{"message":"GET /status HTTP/1.1"}'
    payload = (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n%s" % (path.encode(), len(body), body)
               + b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    responses = parse_responses(exchange(server.port, payload))

    assert [response.status for response in responses] == [status, 200]
    assert b'"healthy"' in responses[1].body


# ---- SinchMaxBodySize ----

def test_chunked_body_over_default_cap(server):
    piece = b"x" * 65536

    with connect(server.port, timeout=10) as sock:
        sock.sendall(chunked_head("/probe/echo", b"text/plain"))
        try:
            for _ in range(2 * 1024 * 1024 // len(piece)):
                sock.sendall(chunk(piece))
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # The server may close the connection once it has sent the 413.
        response_bytes = read_until_close(sock, timeout=10)

    response = parse_response(response_bytes)
    assert response.status == 413
    assert response.header("Content-Type") == "application/json"
    assert response.header("Connection") == "close"
    body = json.loads(response.body)
    assert "SinchMaxBodySize" in body["error"]
    assert str(DEFAULT_MAX_BODY) in body["error"]
    assert body["requestId"] == response.header("X-Request-Id")
    assert_server_answers(server)


def test_content_length_over_default_cap(server):
    payload = (b"POST /probe/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
               b"Content-Length: %d\r\n\r\n" % (2 * 1024 * 1024))

    response = parse_response(exchange(server.port, payload))

    assert response.status == 413
    assert response.header("Connection") == "close"
    assert "SinchMaxBodySize" in json.loads(response.body)["error"]
    assert_server_answers(server)


def test_expect_continue_over_cap_gets_no_continue(server):
    payload = (b"POST /probe/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
               b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % (DEFAULT_MAX_BODY + 1))

    answer = exchange(server.port, payload)

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert "SinchMaxBodySize" in json.loads(parse_response(answer).body)["error"]


def test_body_at_default_cap_accepted(server):
    response = requests.post(server.url("/probe/echo"), data=b"y" * DEFAULT_MAX_BODY,
                             headers={"Content-Type": "text/plain"}, timeout=10)

    assert response.status_code == 200
    assert response.json()["bodyLength"] == DEFAULT_MAX_BODY


def test_small_cap_accepts_exact_size(server):
    response = post_raw(server, "/small/echo", b"z" * SMALL_MAX_BODY, "text/plain")

    assert response.status == 200
    assert json.loads(response.body)["bodyLength"] == SMALL_MAX_BODY


def test_small_cap_rejects_content_length(server):
    response = post_raw(server, "/small/echo", b"z" * (SMALL_MAX_BODY + 1), "text/plain")

    assert response.status == 413
    assert f"larger than {SMALL_MAX_BODY} bytes" in json.loads(response.body)["error"]


def test_small_cap_rejects_chunked(server):
    payload = chunked_head("/small/echo", b"text/plain") + chunk(b"z" * 40) + chunk(b"z" * 40) + b"0\r\n\r\n"

    response = parse_response(exchange(server.port, payload))

    assert response.status == 413
    assert f"larger than {SMALL_MAX_BODY} bytes" in json.loads(response.body)["error"]


# ---- JSON ----

@pytest.mark.parametrize("body", [b'{"message":"hi"}}', b'{"message":"hi",}'], ids=["extra-brace", "trailing-comma"])
def test_json_error_names_byte(server, body):
    response = post_raw(server, "/inbound", body)

    assert response.status == 400
    error = json.loads(response.body)["error"]
    assert "byte 16" in error


def test_json_invalid_utf8(server):
    response = post_raw(server, "/inbound", b'{"message":"\xff\xfe"}')

    assert response.status == 400
    assert "UTF-8" in json.loads(response.body)["error"]


def test_json_deep_nesting_rejected(server):
    response = post_raw(server, "/probe/echo", b"[" * 70 + b"]" * 70)

    assert response.status == 400
    assert "nests deeper than 64 levels" in json.loads(response.body)["error"]


def test_json_nesting_at_limit_accepted(server):
    response = post_raw(server, "/probe/echo", b"[" * 64 + b"]" * 64)

    assert response.status == 200


def test_json_truncated(server):
    response = post_raw(server, "/inbound", b'{"message":')

    assert response.status == 400
    assert "ends early" in json.loads(response.body)["error"]


@pytest.mark.parametrize("body", [b'{"n":NaN}', b'{"n":Infinity}', b'{"n":-Infinity}', b"{'message':'hi'}",
                                  b'{"n":.5}', b'{"message":"a\x01b"}', b'{"message":"tab\there"}', b"[1,]",
                                  b'{"a":1}{"b":2}', b'{"n":-01}', b'{"n":00}', b'{"n":012.5}'],
                         ids=["nan", "infinity", "minus-infinity", "single-quotes", "bare-dot", "control-char",
                              "raw-tab", "trailing-comma-array", "two-values", "negative-leading-zero",
                              "double-zero", "leading-zero-fraction"])
def test_json_not_rfc8259_rejected(server, body):
    response = post_raw(server, "/probe/echo", body)

    assert response.status == 400, response.body
    error_body = json.loads(response.body)
    assert error_body["route"] == "echo"
    assert "JSON" in error_body["error"]


@pytest.mark.parametrize("body", [b"123", b"true", b"null", b'"text"', b"[1]", b"123 "])
def test_json_scalar_top_level_accepted(server, body):
    # RFC 8259 allows any JSON value at the top level, a bare number or literal included.
    response = post_raw(server, "/probe/echo", body)

    assert response.status == 200, response.body


def test_json_int64_reaches_handler(server):
    response = post_raw(server, "/probe/echo", b'{"n":1595441285858}')

    assert response.status == 200
    assert b'"n":1595441285858' in response.body
    assert json.loads(response.body)["n"] == 1595441285858


def test_json_suffix_media_type_parsed(server):
    response = post_raw(server, "/probe/echo", b'{"n":7}', "application/vnd.api+json")

    assert response.status == 200
    assert json.loads(response.body)["n"] == 7


def test_json_media_type_case_insensitive(server):
    response = post_raw(server, "/inbound", b'{"message":"hi"}', "Application/JSON ; charset=UTF-8")

    assert response.status == 200
    assert response.body == b'{"received":true}'


# ---- form and text ----

def test_form_body_reaches_handler(server):
    response = requests.post(server.url("/probe/echo"), data={"a": "hello world", "b": "x&y"}, timeout=5)

    assert response.status_code == 200
    body = response.json()
    assert body["formA"] == "hello world"
    assert body["form"] == [["a", "hello world"], ["b", "x&y"]]


def test_form_body_invalid_escape(server):
    response = post_raw(server, "/probe/echo", b"a=1&b=%zz", "application/x-www-form-urlencoded")

    assert response.status == 400
    assert "form body" in json.loads(response.body)["error"]


def test_text_body_not_parsed(server):
    response = post_raw(server, "/probe/echo", b"{not json", "text/plain")

    assert response.status == 200
    body = json.loads(response.body)
    assert body["bodyLength"] == 9
    assert body["n"] is None
