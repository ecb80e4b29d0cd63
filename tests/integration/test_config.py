"""Configuration per <Location>: variables from sinch.json, SinchVariable and env files,
several functions side by side, and Require/AuthType of the Location."""

import time
import uuid

import requests

from conftest import BASIC_PASSWORD, BASIC_USER, ENV_FILE_SECRET, PROBE_DOTENV_SECRET


def test_variables_reach_handler(server):
    response = requests.get(server.url("/probe/vars"), timeout=5)

    assert response.status_code == 200
    assert response.json() == {
        "functionName": "probe",
        "environment": "production",
        "greeting": "Hello from probe",
        "probeMode": "configured",
        "overridden": "from SinchVariable",
        "apiKeySecret": PROBE_DOTENV_SECRET,
        "envFileSecret": ENV_FILE_SECRET,
        "envFileVariable": ENV_FILE_SECRET,
        "greetingSecret": None,
    }


def test_location_without_overrides_uses_sinch_json(server):
    # /small serves the probe function without SinchVariable or SinchEnvFile.
    body = requests.get(server.url("/small/vars"), timeout=5).json()

    assert body["functionName"] == "probe"
    assert body["greeting"] == "Hello from probe"
    assert body["overridden"] == "from sinch.json"
    assert body["probeMode"] is None
    assert body["apiKeySecret"] == PROBE_DOTENV_SECRET
    assert body["envFileSecret"] is None


def test_other_location_serves_other_function(server):
    response = requests.get(server.url("/other/whoami"), timeout=5)

    assert response.status_code == 200
    body = response.json()
    assert body["functionName"] == "other"
    assert body["otherGreeting"] == "Hello from other"
    assert body["otherMode"] == "other-configured"


def test_other_location_lacks_probe_config(server):
    body = requests.get(server.url("/other/whoami"), timeout=5).json()

    assert body["probeMode"] is None
    assert body["apiKeySecret"] is None


def test_other_function_excludes_example_sinch_json(server):
    # GREETING is defined only in the example function's sinch.json. /other is nested in
    # the example's Location "/", but sinch.json belongs to the function it sits next to.
    body = requests.get(server.url("/other/whoami"), timeout=5).json()

    assert body["greeting"] is None


def test_nested_function_excludes_parent_dotenv(server):
    # /probe/nested serves the other function inside the probe's Location. The probe's
    # .env and sinch.json belong to the probe function only.
    response = requests.get(server.url("/probe/nested/whoami"), timeout=5)

    assert response.status_code == 200
    body = response.json()
    assert body["functionName"] == "other"
    assert body["otherGreeting"] == "Hello from other"
    assert body["apiKeySecret"] is None
    assert body["greeting"] is None


def test_other_export_not_in_probe(server):
    response = requests.get(server.url("/other/echo"), timeout=5)

    assert response.status_code == 404
    assert "'other'" in response.json()["error"]


def test_secrets_never_logged(server):
    for path in ("/probe/vars", "/probe/fail", "/probe/nested/whoami", "/probe/nosuch"):
        requests.get(server.url(path), timeout=5)
    requests.get(server.url("/secured/echo"), auth=(BASIC_USER, BASIC_PASSWORD), timeout=5)
    # The vars handler logs at debug level, which this server enables for sinchfn.
    time.sleep(0.2)

    log = server.log_text()
    assert "vars read GREETING" in log
    assert PROBE_DOTENV_SECRET not in log
    assert ENV_FILE_SECRET not in log
    assert BASIC_PASSWORD not in log


# ---- Require and AuthType ----

def test_basic_auth_required(server):
    marker = uuid.uuid4().hex

    response = requests.get(server.url(f"/secured/echo?marker={marker}"), timeout=5)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    time.sleep(0.2)
    assert marker not in server.log_text()


def test_basic_auth_wrong_password(server):
    response = requests.get(server.url("/secured/echo"), auth=(BASIC_USER, "wrong"), timeout=5)

    assert response.status_code == 401


def test_basic_auth_valid_credentials(server):
    response = requests.get(server.url("/secured/echo"), auth=(BASIC_USER, BASIC_PASSWORD), timeout=5)

    assert response.status_code == 200
    assert response.json()["route"] == "echo"


def test_basic_auth_protects_voice_and_health(server):
    for method, path in (("POST", "/secured/dice"), ("GET", "/secured/health"), ("GET", "/secured")):
        response = requests.request(method, server.url(path), json={"event": "dice"}, timeout=5)

        assert response.status_code == 401, path


def test_require_all_denied(server):
    marker = uuid.uuid4().hex

    response = requests.get(server.url(f"/denied/echo?marker={marker}"), timeout=5)

    assert response.status_code == 403
    time.sleep(0.2)
    assert marker not in server.log_text()
