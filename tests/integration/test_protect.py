"""Protection over real HTTP: callback signatures, the webhook HMAC, declarative Basic
auth, bearer tokens, the signature helpers and private functions.

Private functions are tested from a network namespace with its own address when the
test run can create one (root and iproute2), and always with an X-Forwarded-For header,
which must not change the decision.

Locations of the protection server (guarded = tests/integration/functions/guarded):
  /g          guarded, production (signatures enforced), credentials from an env file
  /gd         the same in development (signatures not checked)
  /ga         development with SinchWebhookProtection always
  /gv         production with the WEBHOOK_PROTECTION variable set to never
  /gk         production with SinchVoiceApplication (another key and secret)
  /gs         production with SinchSignatureMaxSkew 0
  /gc         production with SinchAuthChallenge on
  /gn, /gw    production without any credentials (fail closed); /gw is for the
              once-per-process warning test only
  /gnd        development without any credentials
  /all        guardall (SINCHFN_PROTECT("*")), development
  /apacheauth guarded behind Apache's AuthType Basic and Require valid-user
  /requireip  guarded behind Require ip of a network the tests never use
  /priv       probe with SinchPrivate on (loopback only)
  /privnet    probe with SinchPrivate on and SinchPrivateAllow the namespace's client
"""

import base64
import hashlib
import hmac
import json
import re
import subprocess
import time

import pytest
import requests

from netns import NetworkNamespace
from sinchfn_testlib import (MPMS, ApacheServer, config_header, config_test, connect, free_port, parse_response,
                             read_until_close)

APP_KEY = "test-app-key"
APP_SECRET = base64.b64encode(b"application-secret-bytes-0042").decode()
DIRECTIVE_KEY = "directive-app-key"
DIRECTIVE_SECRET = base64.b64encode(b"directive-secret-bytes-9a7c").decode()
PROJECT_KEY = "project-key-51c3"
PROJECT_SECRET = "project-secret-4f1a"
ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-pass-77c0"
CONVERSATION_SECRET = "conversation-secret-2b9d"
STRIPE_SECRET = "whsec_test_5d0e"
NUMBERS_SECRET = "numbers-secret-8e21"
SMS_SECRET = "sms-secret-c61f"
API_TOKEN = "api-token-0b7d"
QUERY_TOKEN = "query-token-never-logged-3a5e"
# Never used by any client of the test run, so Require ip of it rejects loopback.
TEST_NET = "192.0.2.0/24"

SECRETS = (APP_SECRET, DIRECTIVE_SECRET, PROJECT_SECRET, ADMIN_PASSWORD, CONVERSATION_SECRET, STRIPE_SECRET,
           NUMBERS_SECRET, SMS_SECRET, API_TOKEN, QUERY_TOKEN)

ICE_BODY = b'{"event":"ice","callid":"call-1","cli":"46700000000"}'
JSON = "application/json"


# ---- signing, written independently of the C code ----

def iso_now(offset_seconds=0.0):
    """Return an x-timestamp with 7 fractional digits, as Sinch sends it."""
    moment = time.time() + offset_seconds
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + f".{int((moment % 1) * 1e7):07d}Z"


def application_authorization(key, secret, method, path, content_type, x_timestamp, body, scheme="Application"):
    content_md5 = base64.b64encode(hashlib.md5(body).digest()).decode() if body else ""
    string_to_sign = f"{method.upper()}\n{content_md5}\n{content_type}\nx-timestamp:{x_timestamp}\n{path}"
    mac = hmac.new(base64.b64decode(secret), string_to_sign.encode(), hashlib.sha256).digest()
    return f"{scheme} {key}:{base64.b64encode(mac).decode()}"


def signed_headers(path, body=ICE_BODY, content_type=JSON, key=APP_KEY, secret=APP_SECRET, x_timestamp=None,
                   sign_path=None, sign_content_type=None, scheme="Application"):
    x_timestamp = x_timestamp or iso_now()
    authorization = application_authorization(key, secret, "POST", sign_path or path,
                                               content_type if sign_content_type is None else sign_content_type,
                                               x_timestamp, body, scheme)
    return {"Content-Type": content_type, "x-timestamp": x_timestamp, "Authorization": authorization}


def webhook_headers(body, secret=CONVERSATION_SECRET, timestamp=None, nonce="01FJA8B4A7BM43YGWSG9GBV067",
                    algorithm=None):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), body + f".{nonce}.{timestamp}".encode(), hashlib.sha256).digest()
    headers = {"Content-Type": JSON, "x-sinch-webhook-signature": base64.b64encode(mac).decode(),
               "x-sinch-webhook-signature-nonce": nonce, "x-sinch-webhook-signature-timestamp": timestamp}
    if algorithm:
        headers["x-sinch-webhook-signature-algorithm"] = algorithm
    return headers


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ---- server ----

@pytest.fixture(scope="module")
def namespace():
    """A network namespace client, or None (with the reason printed) when unavailable."""
    created, reason = NetworkNamespace.create()
    if created is None:
        print(f"private-network tests from another address are skipped: {reason}")
    yield created
    if created is not None:
        created.remove()


def protect_config(root, port, mpm, functions, namespace) -> str:
    env_file = root / "guarded.env"
    allowed = f"{namespace.client_ip}/32" if namespace else TEST_NET
    listen = f"Listen {namespace.host_ip}:{port}\n" if namespace else ""
    guarded = functions["guarded"]
    return config_header(root, port, mpm, ["authn_core", "authz_user", "auth_basic", "authn_file", "authz_host"]) + \
        listen + f"""
LogFormat "%r" requestline
CustomLog "{root}/access.log" requestline
<Location /g>
    SinchFunction "{guarded}"
    SinchEnvFile "{env_file}"
</Location>
<Location /gd>
    SinchFunction "{guarded}"
    SinchEnvironment development
    SinchEnvFile "{env_file}"
</Location>
<Location /ga>
    SinchFunction "{guarded}"
    SinchEnvironment development
    SinchWebhookProtection always
    SinchEnvFile "{env_file}"
</Location>
<Location /gv>
    SinchFunction "{guarded}"
    SinchVariable WEBHOOK_PROTECTION never
    SinchEnvFile "{env_file}"
</Location>
<Location /gk>
    SinchFunction "{guarded}"
    SinchEnvFile "{env_file}"
    SinchVoiceApplication {DIRECTIVE_KEY} {DIRECTIVE_SECRET}
</Location>
<Location /gs>
    SinchFunction "{guarded}"
    SinchEnvFile "{env_file}"
    SinchSignatureMaxSkew 0
</Location>
<Location /gc>
    SinchFunction "{guarded}"
    SinchEnvFile "{env_file}"
    SinchAuthChallenge on
</Location>
<Location /gn>
    SinchFunction "{guarded}"
</Location>
<Location /gw>
    SinchFunction "{guarded}"
</Location>
<Location /gnd>
    SinchFunction "{guarded}"
    SinchEnvironment development
</Location>
<Location /all>
    SinchFunction "{functions['guardall']}"
    SinchEnvironment development
    SinchEnvFile "{env_file}"
</Location>
<Location /apacheauth>
    SinchFunction "{guarded}"
    SinchEnvFile "{env_file}"
    AuthType Basic
    AuthName "sinchfn protection tests"
    AuthBasicProvider file
    AuthUserFile "{root}/htpasswd"
    Require valid-user
</Location>
<Location /requireip>
    SinchFunction "{guarded}"
    Require ip {TEST_NET}
</Location>
<Location /priv>
    SinchFunction "{functions['probe']}"
    SinchPrivate on
</Location>
<Location /privnet>
    SinchFunction "{functions['probe']}"
    SinchPrivate on
    SinchPrivateAllow {allowed}
</Location>
"""


@pytest.fixture(scope="module", params=MPMS, ids=[f"mpm-{mpm}" for mpm in MPMS])
def guard(request, workdir, functions, namespace):
    mpm = request.param
    root = workdir / f"protect-{mpm}"
    root.mkdir()
    root.chmod(0o755)
    (root / "guarded.env").write_text(
        f"VOICE_APPLICATION_KEY={APP_KEY}\nVOICE_APPLICATION_SECRET={APP_SECRET}\n"
        f"PROJECT_ID_API_KEY={PROJECT_KEY}\nPROJECT_ID_API_SECRET={PROJECT_SECRET}\n"
        f"ADMIN_USER={ADMIN_USER}\nADMIN_PASSWORD={ADMIN_PASSWORD}\n"
        f"CONVERSATION_WEBHOOK_SECRET={CONVERSATION_SECRET}\nSTRIPE_SECRET={STRIPE_SECRET}\n"
        f"NUMBERS_SECRET={NUMBERS_SECRET}\nSMS_SECRET={SMS_SECRET}\nAPI_TOKEN={API_TOKEN}\n")
    subprocess.run(["htpasswd", "-cb", str(root / "htpasswd"), ADMIN_USER, ADMIN_PASSWORD], check=True,
                   capture_output=True, timeout=30)
    (root / "htpasswd").chmod(0o644)
    port = free_port()
    apache = ApacheServer(root, port, mpm, protect_config(root, port, mpm, functions, namespace))
    apache.start()
    yield apache
    apache.stop()


def post(guard, path, body=ICE_BODY, headers=None):
    return requests.post(guard.url(path), data=body, headers=headers or {}, timeout=5)


def assert_json_error(response, status, error):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == JSON
    body = response.json()
    assert body["error"] == error
    assert body["requestId"] == response.headers["X-Request-Id"]
    return body


def assert_signature_rejected(guard, response, offset, reason):
    """Check a 401 for a failed signature check and its info log line."""
    assert_json_error(response, 401, f"The request signature is not valid: {reason}.")
    assert "WWW-Authenticate" not in response.headers
    line = guard.wait_for_log("SFN0504", offset)
    assert f"check failed: {reason}" in line, guard.log_since(offset)
    assert "[sinchfn:info]" in line
    assert response.headers["X-Request-Id"] in line


# ---- voice callback signatures ----

def test_voice_good_signature(guard):
    response = post(guard, "/g/ice", headers=signed_headers("/g/ice"))

    assert response.status_code == 200, response.text
    assert response.json() == {"action": {"name": "hangup"}, "instructions": [{"name": "say", "text": "Signed"}]}


def test_voice_wrong_key(guard):
    offset = guard.log_size()

    response = post(guard, "/g/ice", headers=signed_headers("/g/ice", key="other-key"))

    assert_signature_rejected(guard, response, offset, "the application key does not match the configured key")


def test_voice_wrong_secret(guard):
    offset = guard.log_size()

    response = post(guard, "/g/ice", headers=signed_headers("/g/ice", secret=DIRECTIVE_SECRET))

    assert_signature_rejected(guard, response, offset, "the signature does not match the request")


def test_voice_body_changed_one_byte(guard):
    offset = guard.log_size()
    headers = signed_headers("/g/ice")

    response = post(guard, "/g/ice", body=ICE_BODY.replace(b"call-1", b"call-2"), headers=headers)

    assert_signature_rejected(guard, response, offset, "the signature does not match the request")


def test_voice_content_type_with_charset(guard):
    content_type = "application/json; charset=utf-8"

    response = post(guard, "/g/ice", headers=signed_headers("/g/ice", content_type=content_type))

    assert response.status_code == 200, response.text


def test_voice_charset_not_signed(guard):
    offset = guard.log_size()
    headers = signed_headers("/g/ice", content_type="application/json; charset=utf-8", sign_content_type=JSON)

    response = post(guard, "/g/ice", headers=headers)

    assert_signature_rejected(guard, response, offset, "the signature does not match the request")


def test_voice_stale_timestamp(guard):
    offset = guard.log_size()

    response = post(guard, "/g/ice", headers=signed_headers("/g/ice", x_timestamp=iso_now(-700)))

    assert response.status_code == 401
    assert re.fullmatch(r"The request signature is not valid: x-timestamp is (69\d|70\d) s in the past; "
                        r"the maximum skew is 600 s\.", response.json()["error"])
    assert "s in the past; the maximum skew is 600 s" in guard.wait_for_log("SFN0504", offset)


def test_voice_future_timestamp(guard):
    response = post(guard, "/g/ice", headers=signed_headers("/g/ice", x_timestamp=iso_now(700)))

    assert response.status_code == 401
    assert re.fullmatch(r"The request signature is not valid: x-timestamp is (69\d|70\d) s in the future; "
                        r"the maximum skew is 600 s\.", response.json()["error"])


def test_voice_skew_check_off(guard):
    response = post(guard, "/gs/ice", headers=signed_headers("/gs/ice", x_timestamp="2014-09-24T10:59:41Z"))

    assert response.status_code == 200, response.text


def test_voice_missing_authorization(guard):
    offset = guard.log_size()
    headers = signed_headers("/g/ice")
    del headers["Authorization"]

    response = post(guard, "/g/ice", headers=headers)

    assert_signature_rejected(guard, response, offset, "the Authorization header is missing")


@pytest.mark.parametrize("path, reason", [
    ("/g/ice", "the Authorization header is missing"),
    ("/g/webhook/conversation", "the x-sinch-webhook-signature header is missing"),
])
def test_unsigned_expect_continue_rejected_before_body(guard, path, reason):
    """A request without its signature header gets the 401 without a 100 Continue, though
    its body is never sent."""
    offset = guard.log_size()
    with connect(guard.port) as sock:
        sock.sendall(b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 300\r\nExpect: 100-continue\r\n\r\n" % path.encode())
        answer = read_until_close(sock, timeout=5)

    assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]
    response = parse_response(answer)
    assert response.header("Connection") == "close"
    assert json.loads(response.body)["error"] == f"The request signature is not valid: {reason}."
    assert f"check failed: {reason}" in guard.wait_for_log("SFN0504", offset)


def expect_continue_headers(path, changes):
    headers = signed_headers(path)
    for name, value in changes.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    return headers


@pytest.mark.parametrize("changes, reason", [
    ({"Authorization": "Application other-key:c2lnbmF0dXJl"},
     r"the application key does not match the configured key"),
    ({"Authorization": "Bearer abc"}, r"the Authorization scheme is neither Application nor Basic"),
    ({"x-timestamp": None}, r"the x-timestamp header is missing"),
    ({"x-timestamp": "yesterday"}, r"x-timestamp is not an ISO-8601 time"),
    ({"x-timestamp": iso_now(-3600)}, r"x-timestamp is \d+ s in the past; the maximum skew is 600 s"),
], ids=["wrong-key", "other-scheme", "no-timestamp", "bad-timestamp", "expired"])
def test_signed_header_failure_rejected_before_body(guard, changes, reason):
    """A signed callback that its headers already fail gets the 401 without a 100 Continue,
    though its body is never sent."""
    offset = guard.log_size()
    headers = expect_continue_headers("/g/ice", changes)
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with connect(guard.port) as sock:
        sock.sendall(f"POST /g/ice HTTP/1.1\r\nHost: 127.0.0.1\r\n{lines}Content-Length: {len(ICE_BODY)}\r\n"
                     "Expect: 100-continue\r\n\r\n".encode())
        answer = read_until_close(sock, timeout=5)

    assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]
    response = parse_response(answer)
    assert response.header("Connection") == "close"
    assert re.fullmatch(f"The request signature is not valid: {reason}\\.", json.loads(response.body)["error"])
    assert re.search(f"check failed: {reason}", guard.wait_for_log("SFN0504", offset))


def test_signed_expect_continue_accepted(guard):
    """A valid signed callback sent with Expect: 100-continue gets 100 Continue, then 200."""
    headers = signed_headers("/g/ice")
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    with connect(guard.port) as sock:
        sock.sendall(f"POST /g/ice HTTP/1.1\r\nHost: 127.0.0.1\r\n{lines}Content-Length: {len(ICE_BODY)}\r\n"
                     "Connection: close\r\nExpect: 100-continue\r\n\r\n".encode())
        interim = sock.recv(64)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(ICE_BODY)
        answer = read_until_close(sock, timeout=5)

    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert json.loads(parse_response(answer).body)["action"]["name"] == "hangup"


def test_voice_missing_timestamp(guard):
    offset = guard.log_size()
    headers = signed_headers("/g/ice")
    del headers["x-timestamp"]

    response = post(guard, "/g/ice", headers=headers)

    assert_signature_rejected(guard, response, offset, "the x-timestamp header is missing")


def test_voice_double_space(guard):
    offset = guard.log_size()
    headers = signed_headers("/g/ice")
    headers["Authorization"] = headers["Authorization"].replace(" ", "  ", 1)

    response = post(guard, "/g/ice", headers=headers)

    assert_signature_rejected(guard, response, offset,
                              "the Authorization value is not SCHEME and credentials separated by one space")


@pytest.mark.parametrize("scheme", ["application", "APPLICATION", "aPpLiCaTiOn"])
def test_voice_scheme_casing(guard, scheme):
    response = post(guard, "/g/ice", headers=signed_headers("/g/ice", scheme=scheme))

    assert response.status_code == 200, response.text


def test_voice_path_includes_location(guard):
    offset = guard.log_size()

    response = post(guard, "/g/ice", headers=signed_headers("/g/ice", sign_path="/ice"))

    assert_signature_rejected(guard, response, offset, "the signature does not match the request")


def test_voice_check_before_routing(guard):
    # guarded exports no pie: a bad signature is a 401, a good one reaches routing (404).
    unsigned = post(guard, "/g/pie", body=b'{"event":"pie"}', headers={"Content-Type": JSON})
    signed = post(guard, "/g/pie", body=b'{"event":"pie"}', headers=signed_headers("/g/pie", body=b'{"event":"pie"}'))

    assert_json_error(unsigned, 401, "The request signature is not valid: the Authorization header is missing.")
    assert signed.status_code == 404
    assert signed.json()["error"] == "No export named 'pie' in function 'guarded'."


def test_voice_get_gets_401_before_405(guard):
    response = requests.get(guard.url("/g/ice"), timeout=5)

    assert response.status_code == 401


def test_voice_basic_base64_accepted(guard):
    response = post(guard, "/g/ice", headers={"Content-Type": JSON, "Authorization": basic(APP_KEY, APP_SECRET)})

    assert response.status_code == 200, response.text


def test_voice_basic_raw_rejected(guard):
    offset = guard.log_size()

    response = post(guard, "/g/ice", headers={"Content-Type": JSON, "Authorization": f"Basic {APP_KEY}:{APP_SECRET}"})

    assert_signature_rejected(guard, response, offset, "the Basic credentials are not RFC 7617 base64 of KEY:SECRET")


def test_voice_dice_signed(guard):
    body = b'{"event":"dice","callid":"call-1"}'

    response = post(guard, "/g/dice", body=body, headers=signed_headers("/g/dice", body=body))

    assert response.status_code == 200
    assert response.content == b""


def test_voice_directive_application(guard):
    by_directive = post(guard, "/gk/ice", headers=signed_headers("/gk/ice", key=DIRECTIVE_KEY,
                                                                  secret=DIRECTIVE_SECRET))
    by_variables = post(guard, "/gk/ice", headers=signed_headers("/gk/ice"))

    assert by_directive.status_code == 200, by_directive.text
    assert by_variables.status_code == 401


@pytest.mark.parametrize("path, status", [("/gd/ice", 200), ("/ga/ice", 401), ("/gv/ice", 200)])
def test_voice_protection_modes(guard, path, status):
    response = post(guard, path, headers={"Content-Type": JSON})

    assert response.status_code == status, response.text


def test_signed_export_requires_signature(guard):
    body = b'{"status":"SUCCESSFUL"}'

    unsigned = post(guard, "/g/verification", body=body, headers={"Content-Type": JSON})
    signed = post(guard, "/g/verification", body=body, headers=signed_headers("/g/verification", body=body))

    assert_json_error(unsigned, 401, "The request signature is not valid: the Authorization header is missing.")
    assert signed.status_code == 200
    assert signed.json() == {"export": "verification"}


def test_voice_unconfigured_fails_closed_once(guard):
    # /gw has no key or secret: every callback is a 401, with one warning per process.
    # A keep-alive session keeps the three requests in one process.
    offset = guard.log_size()
    with requests.Session() as session:
        responses = [session.post(guard.url("/gw/ice"), data=ICE_BODY, headers=signed_headers("/gw/ice"), timeout=5)
                     for _ in range(3)]

    for response in responses:
        assert_json_error(response, 401, "The request signature is not valid: the server has no secret to check "
                                         "it with.")
    assert guard.wait_for_log("SFN0505", offset)
    time.sleep(0.2)
    warnings = [line for line in guard.log_since(offset).splitlines() if "SFN0505" in line]
    assert len(warnings) == 1, warnings
    assert "[sinchfn:warn]" in warnings[0]
    assert "VOICE_APPLICATION_KEY and VOICE_APPLICATION_SECRET" in warnings[0]


# ---- conversation webhooks ----

CONVERSATION_BODY = b'{"app_id":"app-1","message":{"contact_message":{"text_message":{"text":"hi"}}}}'


def test_conversation_good_signature(guard):
    response = post(guard, "/g/webhook/conversation", body=CONVERSATION_BODY,
                    headers=webhook_headers(CONVERSATION_BODY, algorithm="HmacSHA256"))

    assert response.status_code == 200, response.text
    assert response.json() == {"export": "conversationWebhook"}


def test_conversation_without_algorithm_header(guard):
    response = post(guard, "/g/webhook/conversation", body=CONVERSATION_BODY, headers=webhook_headers(CONVERSATION_BODY))

    assert response.status_code == 200, response.text


def test_conversation_wrong_secret(guard):
    offset = guard.log_size()

    response = post(guard, "/g/webhook/conversation", body=CONVERSATION_BODY,
                    headers=webhook_headers(CONVERSATION_BODY, secret="wrong"))

    assert_signature_rejected(guard, response, offset, "the webhook signature does not match the request")


def test_conversation_body_changed(guard):
    headers = webhook_headers(CONVERSATION_BODY)

    response = post(guard, "/g/webhook/conversation", body=CONVERSATION_BODY.replace(b"hi", b"ho"), headers=headers)

    assert response.status_code == 401


def test_conversation_other_algorithm(guard):
    offset = guard.log_size()

    response = post(guard, "/g/webhook/conversation", body=CONVERSATION_BODY,
                    headers=webhook_headers(CONVERSATION_BODY, algorithm="HmacSHA1"))

    assert_signature_rejected(guard, response, offset, "x-sinch-webhook-signature-algorithm is not HmacSHA256")


def test_conversation_stale_timestamp(guard):
    response = post(guard, "/g/webhook/conversation", body=CONVERSATION_BODY,
                    headers=webhook_headers(CONVERSATION_BODY, timestamp=str(int(time.time()) - 700)))

    assert response.status_code == 401
    assert "s in the past; the maximum skew is 600 s" in response.json()["error"]


@pytest.mark.parametrize("header", ["x-sinch-webhook-signature", "x-sinch-webhook-signature-nonce",
                                    "x-sinch-webhook-signature-timestamp"])
def test_conversation_missing_header(guard, header):
    headers = webhook_headers(CONVERSATION_BODY)
    del headers[header]

    response = post(guard, "/g/webhook/conversation", body=CONVERSATION_BODY, headers=headers)

    assert_json_error(response, 401, f"The request signature is not valid: the {header} header is missing.")


# ---- Basic auth ----

AUTH_REQUIRED = "Authentication required: send Basic credentials in the Authorization header."


def test_basic_missing_credentials(guard):
    offset = guard.log_size()

    response = requests.get(guard.url("/g/admin"), timeout=5)

    assert_json_error(response, 401, AUTH_REQUIRED)
    assert response.json()["route"] == "admin"
    assert "WWW-Authenticate" not in response.headers
    line = guard.wait_for_log("SFN0502", offset)
    assert "Basic auth check failed: the Authorization header is missing" in line


@pytest.mark.parametrize("user, password", [(PROJECT_KEY, PROJECT_SECRET), (ADMIN_USER, ADMIN_PASSWORD)])
def test_basic_good_credentials(guard, user, password):
    response = requests.get(guard.url("/g/stats"), headers={"Authorization": basic(user, password)}, timeout=5)

    assert response.status_code == 200
    assert response.json() == {"export": "stats"}


@pytest.mark.parametrize("authorization", [basic(PROJECT_KEY, ADMIN_PASSWORD), basic(ADMIN_USER, "wrong"),
                                           f"Basic {ADMIN_USER}:{ADMIN_PASSWORD}", "Bearer " + API_TOKEN])
def test_basic_wrong_credentials(guard, authorization):
    offset = guard.log_size()

    response = requests.get(guard.url("/g/admin"), headers={"Authorization": authorization}, timeout=5)

    assert_json_error(response, 401, "Invalid credentials.")
    assert "Basic auth check failed" in guard.wait_for_log("SFN0502", offset)


def test_basic_challenge_on(guard):
    response = requests.get(guard.url("/gc/admin"), timeout=5)

    assert_json_error(response, 401, AUTH_REQUIRED)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="guarded", charset="UTF-8"'


def test_basic_challenge_with_good_credentials(guard):
    response = requests.get(guard.url("/gc/admin"), auth=(ADMIN_USER, ADMIN_PASSWORD), timeout=5)

    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers


def test_basic_unprotected_export_open(guard):
    response = requests.get(guard.url("/g/open"), timeout=5)

    assert response.status_code == 200
    assert response.json() == {"export": "open"}


def test_basic_fails_closed_without_credentials(guard):
    offset = guard.log_size()

    with_header = requests.get(guard.url("/gn/admin"), auth=(ADMIN_USER, ADMIN_PASSWORD), timeout=5)
    without_header = requests.get(guard.url("/gn/admin"), timeout=5)

    assert_json_error(with_header, 401, "Invalid credentials.")
    assert_json_error(without_header, 401, AUTH_REQUIRED)
    line = guard.wait_for_log("SFN0503", offset)
    assert "[sinchfn:warn]" in line
    assert "PROJECT_ID_API_KEY, PROJECT_ID_API_SECRET, ADMIN_USER, ADMIN_PASSWORD" in line
    assert "no credentials are configured" in guard.wait_for_log("SFN0502", offset)


def test_basic_fails_closed_in_development(guard):
    response = requests.get(guard.url("/gnd/admin"), auth=(ADMIN_USER, ADMIN_PASSWORD), timeout=5)

    assert_json_error(response, 401, "Invalid credentials.")


def test_basic_gate_in_development(guard):
    without = requests.get(guard.url("/gd/admin"), timeout=5)
    with_credentials = requests.get(guard.url("/gd/admin"), auth=(ADMIN_USER, ADMIN_PASSWORD), timeout=5)

    assert without.status_code == 401
    assert with_credentials.status_code == 200


@pytest.mark.parametrize("path, export", [("/all/health", "health"), ("/all/webhook/conversation",
                                                                      "conversationWebhook")])
def test_basic_star_exempts(guard, path, export):
    response = requests.post(guard.url(path), json={}, timeout=5)

    assert response.status_code == 200, response.text
    assert response.json() == {"export": export}


def test_basic_star_exempts_voice(guard):
    response = requests.post(guard.url("/all/ice"), data=ICE_BODY, headers={"Content-Type": JSON}, timeout=5)

    assert response.status_code == 200
    assert response.json() == {"action": {"name": "hangup"}}


@pytest.mark.parametrize("path, status", [("/all/report", 200), ("/all", 200), ("/all/nosuch", 404)])
def test_basic_star_gates_endpoints(guard, path, status):
    without = requests.get(guard.url(path), timeout=5)
    with_credentials = requests.get(guard.url(path), auth=(PROJECT_KEY, PROJECT_SECRET), timeout=5)

    assert_json_error(without, 401, AUTH_REQUIRED)
    assert with_credentials.status_code == status


def test_basic_star_gates_public_files(guard, functions):
    public = functions["guardall"] / "public"
    public.mkdir(exist_ok=True)
    public.chmod(0o755)
    (public / "page.html").write_text("<p>protected page</p>\n")
    without = requests.get(guard.url("/all/page.html"), timeout=5)
    with_credentials = requests.get(guard.url("/all/page.html"), auth=(PROJECT_KEY, PROJECT_SECRET), timeout=5)

    assert_json_error(without, 401, AUTH_REQUIRED)
    assert with_credentials.status_code == 200
    assert with_credentials.text == "<p>protected page</p>\n"


def test_basic_star_root_route(guard):
    response = requests.get(guard.url("/all"), auth=(PROJECT_KEY, PROJECT_SECRET), timeout=5)

    assert response.status_code == 200
    assert response.json() == {"export": "home"}


def test_apache_auth_alongside(guard):
    without = requests.get(guard.url("/apacheauth/admin"), timeout=5)
    both = requests.get(guard.url("/apacheauth/admin"), auth=(ADMIN_USER, ADMIN_PASSWORD), timeout=5)
    apache_only = requests.get(guard.url("/apacheauth/open"), auth=(ADMIN_USER, ADMIN_PASSWORD), timeout=5)

    assert without.status_code == 401
    assert without.headers["WWW-Authenticate"] == 'Basic realm="sinchfn protection tests"'
    assert both.status_code == 200
    assert both.json() == {"export": "admin"}
    assert apache_only.status_code == 200


def test_apache_require_ip_alongside(guard):
    response = requests.get(guard.url("/requireip/open"), timeout=5)

    assert response.status_code == 403
    assert "X-Request-Id" not in response.headers


# ---- bearer tokens ----

def test_bearer_token_read(guard):
    good = requests.get(guard.url("/g/bearer"), headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=5)
    other = requests.get(guard.url("/g/bearer"), headers={"Authorization": "bearer other-token"}, timeout=5)

    assert good.json() == {"matches": True}
    assert other.json() == {"matches": False}


def test_query_token_rejected(guard):
    offset = guard.log_size()
    access_log = guard.root / "access.log"

    response = requests.get(guard.url(f"/g/bearer?a=1&access_token={QUERY_TOKEN}"), timeout=5)

    assert_json_error(response, 400, "A token in the query string is rejected because URLs end up in logs; send it "
                                     "in an Authorization: Bearer header.")
    assert "access_token query parameter" in guard.wait_for_log("SFN0506", offset)
    deadline = time.monotonic() + 3
    while "access_token=REDACTED" not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "GET /g/bearer?a=1&access_token=REDACTED HTTP/1.1" in access_log.read_text()
    assert QUERY_TOKEN not in access_log.read_text()
    assert QUERY_TOKEN not in guard.log_text()


def wait_for_access_line(access_log, text):
    deadline = time.monotonic() + 3
    while text not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return access_log.read_text()


def test_query_token_redacted_before_require(guard):
    # Require ip rejects the request before the handler; the access log still gets the
    # redacted request line.
    response = requests.get(guard.url(f"/requireip/bearer?access_token={QUERY_TOKEN}"), timeout=5)

    assert response.status_code == 403
    logged = wait_for_access_line(guard.root / "access.log", "/requireip/bearer?access_token=REDACTED")
    assert "GET /requireip/bearer?access_token=REDACTED HTTP/1.1" in logged
    assert QUERY_TOKEN not in logged
    assert QUERY_TOKEN not in guard.log_text()


def test_query_token_checked_before_private(guard):
    response = requests.get(guard.url(f"/privnet/echo?access_token={QUERY_TOKEN}"), timeout=5)

    assert response.status_code == 400
    logged = wait_for_access_line(guard.root / "access.log", "/privnet/echo?access_token=REDACTED")
    assert QUERY_TOKEN not in logged


def test_query_token_with_encoded_nul_rejected(guard):
    response = requests.get(guard.url(f"/g/bearer?access_token%00={QUERY_TOKEN}"), timeout=5)

    assert response.status_code == 400
    assert "Authorization: Bearer" in response.json()["error"]
    logged = wait_for_access_line(guard.root / "access.log", "access_token%00=REDACTED")
    assert QUERY_TOKEN not in logged
    assert QUERY_TOKEN not in guard.log_text()


# ---- helpers for custom endpoints ----

def stripe_header(body, secret=STRIPE_SECRET, timestamp=None):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


@pytest.mark.parametrize("header, status, text", [
    (lambda body: stripe_header(body), 200, "valid signature"),
    (lambda body: stripe_header(body, secret="other"), 401, "signature mismatch"),
    (lambda body: stripe_header(body, timestamp=str(int(time.time()) - 400)), 401,
     "signature timestamp outside the allowed skew"),
    (lambda body: "v1=00", 401, "signature header malformed"),
])
def test_timestamped_hmac_helper(guard, header, status, text):
    body = b'{"id":"evt_1","type":"charge.succeeded"}'

    response = post(guard, "/g/stripe", body=body, headers={"Content-Type": JSON, "Stripe-Signature": header(body)})

    assert response.json() == {"status": text}
    assert response.status_code == status


def test_numbers_helper(guard):
    body = b'{"eventId":"01hpa0mww4m79q8j2dwn3ggbgz","status":"SUCCEEDED"}'
    good = hmac.new(NUMBERS_SECRET.encode(), body, hashlib.sha1).hexdigest()

    valid = post(guard, "/g/numbers", body=body, headers={"Content-Type": JSON, "X-Sinch-Signature": good})
    changed = post(guard, "/g/numbers", body=body + b" ", headers={"Content-Type": JSON, "X-Sinch-Signature": good})
    missing = post(guard, "/g/numbers", body=body, headers={"Content-Type": JSON})

    assert valid.json() == {"status": "valid signature"}
    assert changed.json() == {"status": "signature mismatch"}
    assert missing.json() == {"status": "signature header missing"}


def test_webhook_helper_for_sms(guard):
    body = b'{"type":"recipient_delivery_report_sms","status":"Delivered"}'

    valid = post(guard, "/g/sms", body=body, headers=webhook_headers(body, secret=SMS_SECRET))
    wrong = post(guard, "/g/sms", body=body, headers=webhook_headers(body, secret=CONVERSATION_SECRET))

    assert valid.status_code == 200, valid.text
    assert wrong.json() == {"status": "signature mismatch"}


def test_signing_helper_matches(guard):
    body = b'{"identity":{"type":"number","endpoint":"+46700000000"},"method":"sms"}'
    timestamp = "2023-11-22T09:10:11.999Z"

    response = post(guard, f"/gd/sign?path=/verification/v1/verifications&timestamp={timestamp}", body=body,
                    headers={"Content-Type": JSON})

    assert response.status_code == 200
    assert response.json()["authorization"] == application_authorization(
        APP_KEY, APP_SECRET, "POST", "/verification/v1/verifications", JSON, timestamp, body)


def test_signing_helper_timestamp(guard):
    response = post(guard, "/gd/sign?path=/x", body=b"{}", headers={"Content-Type": JSON})

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", response.json()["timestamp"])


def test_secrets_never_logged(guard):
    post(guard, "/g/ice", headers=signed_headers("/g/ice", secret=DIRECTIVE_SECRET))
    requests.get(guard.url("/g/admin"), auth=(ADMIN_USER, "wrong-" + ADMIN_PASSWORD), timeout=5)
    time.sleep(0.2)

    log = guard.log_text()
    for secret in SECRETS:
        assert secret not in log
    expected = application_authorization(APP_KEY, APP_SECRET, "POST", "/g/ice", JSON, "t", ICE_BODY).split(":")[1]
    assert expected not in log


# ---- private functions ----

def test_private_from_loopback(guard):
    response = requests.get(guard.url("/priv/echo"), timeout=5)

    assert response.status_code == 200
    assert response.json()["route"] == "echo"


def test_private_forwarded_header_ignored(guard):
    offset = guard.log_size()

    allowed = requests.get(guard.url("/priv/echo"), headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5)
    denied = requests.get(guard.url("/privnet/echo"), headers={"X-Forwarded-For": "127.0.0.1"}, timeout=5)

    assert allowed.status_code == 200
    assert_json_error(denied, 403, "This function is private and does not accept requests from your network.")
    line = guard.wait_for_log("SFN0501", offset)
    assert "from 127.0.0.1 rejected" in line


def test_private_health_gated(guard):
    response = requests.get(guard.url("/privnet/health"), timeout=5)

    assert response.status_code == 403


def test_private_from_namespace(guard, namespace):
    if namespace is None:
        pytest.skip("no network namespace on this machine")
    offset = guard.log_size()

    status, body = namespace.get(guard.port, "/priv/echo")

    assert status == 403
    assert json.loads(body)["error"] == "This function is private and does not accept requests from your network."
    assert f"from {namespace.client_ip} rejected" in guard.wait_for_log("SFN0501", offset)


def test_private_allow_namespace(guard, namespace):
    if namespace is None:
        pytest.skip("no network namespace on this machine")

    status, body = namespace.get(guard.port, "/privnet/echo")

    assert status == 200
    assert json.loads(body)["route"] == "echo"


def test_public_from_namespace(guard, namespace):
    if namespace is None:
        pytest.skip("no network namespace on this machine")

    status, _ = namespace.get(guard.port, "/g/open")

    assert status == 200


# ---- start-up ----

@pytest.mark.parametrize("directive, message", [
    ("SinchWebhookProtection sometimes", "SinchWebhookProtection: 'sometimes' is not valid; use never, deploy or always"),
    ("SinchSignatureMaxSkew -1", "SinchSignatureMaxSkew: '-1' is not valid"),
    ("SinchSignatureMaxSkew 10m", "SinchSignatureMaxSkew: '10m' is not valid"),
    ("SinchPrivateAllow 10.0.0.0/33", "SinchPrivateAllow: '10.0.0.0/33' is not an IP address or CIDR network"),
    ("SinchPrivateAllow localhost", "SinchPrivateAllow: 'localhost' is not an IP address or CIDR network"),
    ("SinchPrivate maybe", "SinchPrivate must be On or Off"),
    ("SinchAuthChallenge yes", "SinchAuthChallenge must be On or Off"),
    ("SinchVariable WEBHOOK_PROTECTION off", "SinchVariable: WEBHOOK_PROTECTION 'off' is not valid"),
    ("SinchVoiceApplication key not*base64", "SinchVoiceApplication: the application secret is not valid base64"),
])
def test_bad_directive_rejected(tmp_path, functions, directive, message):
    conf = tmp_path / "httpd.conf"
    conf.write_text(config_header(tmp_path, 8, "event") +
                    f'<Location /g>\n    SinchFunction "{functions["guarded"]}"\n    {directive}\n</Location>\n')

    result = config_test(conf)

    assert result.returncode != 0
    assert message in result.stdout
    assert "not*base64" not in result.stdout


def test_bad_protect_list_rejected(tmp_path, functions):
    conf = tmp_path / "httpd.conf"
    conf.write_text(config_header(tmp_path, 8, "event") +
                    f'<Location /b>\n    SinchFunction "{functions["badprotect"]}"\n</Location>\n')

    result = config_test(conf)

    assert result.returncode != 0
    assert "SINCHFN_PROTECT() names 'adminn', which is not an export" in result.stdout
    assert str(functions["badprotect"] / "function.so") in result.stdout


def test_bad_webhook_protection_in_env_file(tmp_path, functions):
    env_file = tmp_path / "bad.env"
    env_file.write_text("WEBHOOK_PROTECTION=sometimes\n")
    conf = tmp_path / "httpd.conf"
    conf.write_text(config_header(tmp_path, 8, "event") +
                    f'<Location /g>\n    SinchFunction "{functions["guarded"]}"\n'
                    f'    SinchEnvFile "{env_file}"\n</Location>\n')

    result = config_test(conf)

    assert result.returncode != 0
    assert f"SinchEnvFile: {env_file}: WEBHOOK_PROTECTION 'sometimes' is not valid" in result.stdout
