"""Responses: what a handler sets, the runtime's JSON errors, X-Request-Id, and voice
callbacks that take no SVAML."""

import json

import pytest
import requests

from sinchfn_testlib import exchange, parse_response, parse_responses


def test_header_with_crlf_replaced_by_500(server):
    offset = server.log_size()

    response = requests.get(server.url("/probe/badheader"), timeout=5)

    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"error": "internal error", "requestId": response.headers["X-Request-Id"]}
    assert "Set-Cookie" not in response.headers
    assert "X-Echo" not in response.headers
    line = server.wait_for_log("SFN0305", offset)
    assert "'X-Echo'" in line, server.log_since(offset)
    assert "[sinchfn:error]" in line
    assert response.headers["X-Request-Id"] in line


def test_json_body_not_utf8_replaced_by_500(server):
    """The echo endpoint copies X-Test into its JSON body. A Latin-1 byte there would make
    the body invalid JSON, so the runtime sends a 500 and logs where the byte is."""
    offset = server.log_size()
    answer = exchange(server.port, b"GET /probe/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                   b"X-Test: caf\xe9\r\n\r\n")

    response = parse_response(answer)
    assert response.status == 500
    assert json.loads(response.body) == {"error": "internal error", "requestId": response.header("X-Request-Id")}
    line = server.wait_for_log("SFN0308", offset)
    assert "handler 'echo' sent a JSON body that is not valid UTF-8 at byte" in line, server.log_since(offset)
    assert "[sinchfn:error]" in line


def test_json_body_utf8_header_kept(server):
    answer = exchange(server.port, b"GET /probe/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                   b"X-Test: caf\xc3\xa9\r\n\r\n")

    response = parse_response(answer)
    assert response.status == 200
    assert json.loads(response.body)["xTest"] == "caf\u00e9"


def test_header_with_crlf_raw_response(server):
    answer = exchange(server.port, b"GET /probe/badheader HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 500 ")
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert b"set-cookie" not in head
    assert b"x-echo" not in head


def test_handler_failure_hides_detail(server):
    offset = server.log_size()

    response = requests.get(server.url("/probe/fail"), timeout=5)

    assert response.status_code == 500
    request_id = response.headers["X-Request-Id"]
    assert response.json() == {"error": "internal error", "requestId": request_id}
    assert b"secret detail" not in response.content
    line = server.wait_for_log("secret detail", offset)
    assert "[sinchfn:error]" in line, server.log_since(offset)
    assert f"[request {request_id}]" in line
    assert "[function probe]" in line
    assert "SFN0301" in server.wait_for_log(f"[request {request_id}] handler 'fail'", offset)


def test_untouched_response_is_204(server):
    response = requests.get(server.url("/probe/nothing"), timeout=5)

    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["X-Request-Id"]


def test_status_without_body(server):
    response = requests.post(server.url("/probe/created"), timeout=5)

    assert response.status_code == 201
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"
    assert response.headers["Location"] == "/probe/items/1"


def test_text_response(server):
    response = requests.get(server.url("/probe/text"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == "plain text from probe"


@pytest.mark.parametrize("code", [418, 299, 599])
def test_handler_status_kept(server, code):
    response = requests.get(server.url(f"/probe/setstatus?code={code}"), timeout=5)

    assert response.status_code == code
    assert response.content == b""


@pytest.mark.parametrize("code", [0, 99, 100, 199, 600, -1])
def test_handler_status_out_of_range(server, code):
    offset = server.log_size()

    response = requests.get(server.url(f"/probe/setstatus?code={code}"), timeout=5)

    if code == 0:
        # 0 means the status was never set: no body makes it 204.
        assert response.status_code == 204
        return
    assert response.status_code == 500
    assert response.json() == {"error": "internal error", "requestId": response.headers["X-Request-Id"]}
    assert f"status {code}, outside 200-599" in server.wait_for_log("SFN0306", offset)


def test_handler_framing_headers_ignored(server):
    answer = exchange(server.port, b"GET /probe/framing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    response = parse_response(answer)
    assert response.status == 200
    assert response.headers["content-length"] == [str(len(b'{"framing":"ignored"}'))]
    assert "transfer-encoding" not in response.headers
    assert response.header("Content-Type") == "application/problem+json"
    assert response.header("X-Framing") == "kept"
    assert response.body == b'{"framing":"ignored"}'


def split_head_response(data: bytes):
    """Split the bytes of a HEAD response and the responses after it on the same
    connection into the HEAD status line, its headers (lower-case name -> list of values)
    and the rest."""
    head, separator, rest = data.partition(b"\r\n\r\n")
    assert separator, f"incomplete response head: {head!r}"
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return lines[0], headers, rest


def test_head_of_json_endpoint(server):
    # The GET after the HEAD on the same connection shows that the HEAD response carried
    # no body bytes, since they would be read as the start of the next response.
    answer = exchange(server.port, b"HEAD /probe/framing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                   b"GET /probe/framing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    status_line, headers, rest = split_head_response(answer)
    assert status_line == "HTTP/1.1 200 OK"
    assert sorted(headers) == ["content-length", "content-type", "date", "server", "x-framing", "x-request-id"]
    assert headers["content-length"] == [str(len(b'{"framing":"ignored"}'))]
    assert headers["content-type"] == ["application/problem+json"]
    assert headers["x-framing"] == ["kept"]
    get_response = parse_response(rest)
    assert get_response.status == 200
    assert get_response.header("Content-Length") == headers["content-length"][0]
    assert get_response.body == b'{"framing":"ignored"}'
    assert get_response.header("X-Request-Id") != headers["x-request-id"][0]


def test_head_of_runtime_error(server):
    answer = exchange(server.port, b"HEAD /probe/nosuch HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                   b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")

    status_line, headers, rest = split_head_response(answer)
    request_id = headers["x-request-id"][0]
    error_body = json.dumps({"error": "No export named 'nosuch' in function 'probe'.", "route": "nosuch",
                             "requestId": request_id}, separators=(",", ":")).encode()
    assert status_line == "HTTP/1.1 404 Not Found"
    assert sorted(headers) == ["content-length", "content-type", "date", "server", "x-request-id"]
    assert headers["content-length"] == [str(len(error_body))]
    assert headers["content-type"] == ["application/json"]
    get_response = parse_response(rest)
    assert get_response.status == 200
    assert json.loads(get_response.body)["status"] == "healthy"


def test_keepalive_after_error_responses(server):
    # One connection: HEAD, 405 with an unread body, 204, 404 and a last GET.
    body = b'{"event":"dice"}'
    answer = exchange(server.port,
                      b"HEAD /probe/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      b"PUT /probe/dice HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n%s"
                      b"GET /probe/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      b"GET /probe/nosuch HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      b"GET /probe/text HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % (len(body), body))

    status_line, _, rest = split_head_response(answer)
    responses = parse_responses(rest)
    assert status_line == "HTTP/1.1 200 OK"
    assert [response.status for response in responses] == [405, 204, 404, 200]
    assert json.loads(responses[0].body)["route"] == "dice"
    assert responses[1].body == b""
    assert "content-length" not in responses[1].headers
    assert json.loads(responses[2].body)["route"] == "nosuch"
    assert responses[3].body == b"plain text from probe"
    assert len({response.header("X-Request-Id") for response in responses}) == 4


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/status", 200),
    ("GET", "/probe/nothing", 204),
    ("POST", "/probe/created", 201),
    ("GET", "/probe/nosuch", 404),
    ("GET", "/ice", 405),
    ("GET", "/probe/fail", 500),
    ("GET", "/probe/badheader", 500),
    ("GET", "/health", 200),
])
def test_every_response_has_request_id(server, method, path, status):
    response = requests.request(method, server.url(path), timeout=5)

    assert response.status_code == status
    assert response.headers.get("X-Request-Id")


def test_client_errors_have_request_id(server):
    for body in (b"{", b'{"message":"hi"}}'):
        response = requests.post(server.url("/inbound"), data=body, headers={"Content-Type": "application/json"},
                                 timeout=5)

        assert response.status_code == 400
        assert response.json()["requestId"] == response.headers["X-Request-Id"]


def test_request_ids_are_unique(server):
    ids = {requests.get(server.url("/probe/nothing"), timeout=5).headers["X-Request-Id"] for _ in range(20)}

    assert len(ids) == 20


def test_handler_sees_request_id(server):
    response = requests.get(server.url("/probe/echo"), timeout=5)

    assert response.json()["requestId"] == response.headers["X-Request-Id"]


# ---- voice callbacks ----

def test_dice_returns_empty_200(server):
    response = requests.post(server.url("/probe/dice"), json={"event": "dice", "callid": "c1", "reason": "HANGUP"},
                             timeout=5)

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"
    assert response.headers["X-Request-Id"]


def test_notify_reaches_handler(server):
    offset = server.log_size()

    response = requests.post(server.url("/probe/notify"), json={"event": "notify", "type": "recording"},
                             timeout=5)

    assert response.status_code == 200
    assert response.content == b""
    assert "type recording" in server.wait_for_log("notify event notify", offset), server.log_since(offset)


def test_voice_event_mismatch(server):
    response = requests.post(server.url("/probe/dice"), json={"event": "ice", "callid": "c1"}, timeout=5)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert "'ice'" in body["error"]
    assert "'dice'" in body["error"]
    assert body["requestId"] == response.headers["X-Request-Id"]


def test_voice_without_event_field(server):
    response = requests.post(server.url("/probe/dice"), json={"callid": "c1"}, timeout=5)

    assert response.status_code == 400
    assert "'event'" in response.json()["error"]


def test_voice_event_with_nul(server):
    response = requests.post(server.url("/probe/dice"), data=b'{"event":"dice\\u0000x","callid":"c1"}',
                             headers={"Content-Type": "application/json"}, timeout=5)

    assert response.status_code == 400
    assert response.json()["error"] == "The callback 'event' contains a NUL byte; send the event name alone."


def test_voice_needs_json_body(server):
    response = requests.post(server.url("/probe/dice"), data="event=dice", timeout=5,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert response.status_code == 400
    assert "JSON object body" in response.json()["error"]


def test_ace_returns_svaml(server):
    response = requests.post(server.url("/probe/ace"), json={"event": "ace", "callid": "c2"}, timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == (b'{"action":{"name":"continue"},'
                                b'"instructions":[{"name":"say","text":"Hello","locale":"en-US"}]}')


DEFAULT_FALLBACK = (b'{"action":{"name":"hangup"},"instructions":[{"name":"say","text":"Sorry, we cannot take '
                    b'your call right now. Please try again later.","locale":"en-US"}]}')


def test_svaml_not_accepted_by_callback(server):
    offset = server.log_size()

    response = requests.post(server.url("/probe/ace"), json={"event": "ace", "custom": "answer"}, timeout=5)

    assert response.status_code == 200
    assert response.content == b'{"action":{"name":"continue"}}'
    line = server.wait_for_log("SFN0303", offset)
    assert "does not accept the instruction 'answer'" in line, server.log_since(offset)
    assert "sent the fallback SVAML" in line
    assert "[sinchfn:error]" in line


def test_svaml_without_action(server):
    offset = server.log_size()

    response = requests.post(server.url("/probe/pie"), json={"event": "pie"}, timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == DEFAULT_FALLBACK
    line = server.wait_for_log("SFN0304", offset)
    assert "voice handler 'pie' set no SVAML action" in line, server.log_since(offset)
    assert f"[request {response.headers['X-Request-Id']}]" in line


def test_configured_fallback(server):
    response = requests.post(server.url("/fallback/pie"), json={"event": "pie"}, timeout=5)

    assert response.status_code == 200
    assert response.content == ('{"action":{"name":"hangup"},"instructions":[{"name":"say","text":'
                                '"Tack för samtalet, försök igen senare.","locale":"sv-SE"}]}').encode()


def test_configured_fallback_inherited(server):
    response = requests.post(server.url("/fallback/silent/pie"), json={"event": "pie"}, timeout=5)

    assert response.status_code == 200
    assert response.content == b'{"action":{"name":"hangup"}}'


def test_unknown_voice_event_type(server):
    offset = server.log_size()

    response = requests.post(server.url("/probe/dice"), json={"event": "unknown"}, timeout=5)

    assert response.status_code == 400
    assert response.json() == {"error": "Unknown voice event type 'unknown'; the event must be ice, ace, pie, dice "
                                        "or notify.",
                               "requestId": response.headers["X-Request-Id"]}
    line = server.wait_for_log("SFN0302", offset)
    assert "[sinchfn:info]" in line, server.log_since(offset)


def test_voice_export_missing(server):
    response = requests.post(server.url("/probe/ice"), json={"event": "ice"}, timeout=5)

    assert response.status_code == 404
    assert response.json()["route"] == "ice"


def test_voice_put_not_allowed(server):
    response = parse_response(exchange(server.port, b"PUT /probe/dice HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                    b"Connection: close\r\nContent-Length: 0\r\n\r\n"))

    assert response.status == 405
    assert response.header("Allow") == "POST"
    assert json.loads(response.body)["route"] == "dice"
