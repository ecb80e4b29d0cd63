"""Hostile requests and careless functions that the runtime must contain: long paths,
oversized bodies on routes that never read them, control characters in handler
headers, non-UTF-8 input, out-of-range integers and symbol clashes between functions."""

import json
import socket

import requests

from sinchfn_testlib import connect, exchange, parse_response, read_until_close


def test_long_segment_gets_json_404(server):
    name = "a" * 300

    response = requests.get(server.url("/" + name), timeout=10)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["route"] == name
    assert response.json()["requestId"] == response.headers["X-Request-Id"]


def test_long_path_skips_filesystem(server):
    offset = server.log_size()

    response = requests.get(server.url("/" + "a/" * 2000 + "status"), timeout=10)

    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
    assert "AH00036" not in server.log_since(offset)


def test_unread_oversized_body_not_awaited(server):
    # The 404 must come without the 20 MiB the client announced: the body is never read.
    head = (b"POST /nosuch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 20971520\r\n\r\n")

    with connect(server.port) as sock:
        sock.sendall(head)
        answer = read_until_close(sock)

    response = parse_response(answer)
    assert response.status == 404
    assert json.loads(response.body)["route"] == "nosuch"
    assert response.header("Connection") == "close"


def test_oversized_expect_continue_not_invited(server):
    head = (b"POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2000000\r\nExpect: 100-continue\r\n\r\n")

    with connect(server.port) as sock:
        sock.sendall(head)
        answer = read_until_close(sock)

    assert not answer.startswith(b"HTTP/1.1 100")
    response = parse_response(answer)
    assert response.status == 200
    assert json.loads(response.body) == {"status": "healthy"}


def test_small_unread_body_keeps_connection(server):
    payload = (b"POST /nosuch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"
               b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    answer = exchange(server.port, payload)

    assert answer.count(b"HTTP/1.1 ") == 2
    assert b"HTTP/1.1 404" in answer
    assert b'"healthy"' in answer


def test_control_character_header_rejected(server):
    for byte in ("01", "1f", "7f"):
        offset = server.log_size()

        response = requests.get(server.url(f"/probe/controlheader?byte={byte}"), timeout=10)

        assert response.status_code == 500, byte
        assert response.json() == {"error": "internal error", "requestId": response.headers["X-Request-Id"]}
        assert "X-Control" not in response.headers
        assert "X-Control" in server.wait_for_log("SFN0305", offset)


def test_tab_in_header_value_allowed(server):
    response = requests.get(server.url("/probe/controlheader?byte=09"), timeout=10)

    assert response.status_code == 200
    assert response.headers["X-Control"] == "a\tb"


def test_handler_cannot_replace_request_id(server):
    response = requests.get(server.url("/probe/spoofid"), timeout=10)

    assert response.status_code == 200
    assert response.headers["X-Request-Id"] != "spoofed"
    assert "spoofed" not in response.headers["X-Request-Id"]


def post_json_bytes(server, body: bytes):
    return requests.post(server.url("/probe/echo"), data=body, headers={"Content-Type": "application/json"},
                         timeout=10)


def test_overlong_utf8_rejected(server):
    response = post_json_bytes(server, b'{"a\xc0\xaf":"x"}')

    assert response.status_code == 400
    assert response.json()["error"] == ("The JSON body contains invalid UTF-8 at byte 3; "
                                        "send the body encoded as UTF-8.")


def test_encoded_surrogate_rejected(server):
    response = post_json_bytes(server, b'{"a":"\xed\xa0\x80"}')

    assert response.status_code == 400
    assert "invalid UTF-8 at byte 6" in response.json()["error"]


def test_byte_order_mark_named(server):
    response = post_json_bytes(server, b'\xef\xbb\xbf{"message":"hi"}')

    assert response.status_code == 400
    assert response.json()["error"] == "The JSON body starts with a UTF-8 byte order mark; send it without one."


def test_integer_beyond_int64_rejected(server):
    for body, offset in ((b'{"n":9223372036854775808}', 5), (b'[-9223372036854775809]', 1)):
        response = post_json_bytes(server, body)

        assert response.status_code == 400, body
        assert response.json()["error"] == (f"The JSON body is invalid at byte {offset}: an integer outside "
                                            "the signed 64-bit range; send it as a string.")


def test_int64_limits_accepted(server):
    response = post_json_bytes(server, b'{"n":9223372036854775807}')

    assert response.status_code == 200
    assert response.json()["n"] == 9223372036854775807


def test_non_utf8_path_rejected(server):
    answer = exchange(server.port, b"GET /%FF%FE HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    response = parse_response(answer)
    assert response.status == 400
    body = json.loads(response.body.decode("utf-8"))
    assert body["error"] == "The request path is not valid UTF-8 after percent-decoding; encode names as UTF-8."


def test_functions_keep_their_own_helpers(server):
    first = requests.get(server.url("/clash-a/who"), timeout=10)
    second = requests.get(server.url("/clash-b/who"), timeout=10)

    assert first.text == "I am A"
    assert second.text == "I am B"


def test_encoded_percent_decoded_once(server):
    # /st%2561tus is the segment "st%61tus", which names no export: decoding twice
    # would turn it into "status".
    answer = exchange(server.port, b"GET /st%2561tus HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    response = parse_response(answer)
    assert response.status == 404
    assert json.loads(response.body)["route"] == "st%61tus"
