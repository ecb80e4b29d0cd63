"""Configuration per <Location>: variables from sinch.json, SinchVariable and env files,
several functions side by side, and Require/AuthType of the Location."""

import time
import uuid

import requests

from conftest import (BASIC_PASSWORD, BASIC_USER, ENV_FILE_SECRET, PROBE_DOTENV_SECRET, SHARED_DOTENV_SECRET,
                      SHARED_ENV_FILE_SECRET)
from sinchfn_testlib import ApacheServer, config_header, free_port


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
        "sharedSecret": SHARED_ENV_FILE_SECRET,
        "greetingSecret": None,
    }


def test_directives_before_function(server):
    # In /early, SinchVariable and SinchEnvFile come before SinchFunction. SinchVariable
    # must still win over sinch.json, and the secrets of both files must arrive.
    body = requests.get(server.url("/early/vars"), timeout=5).json()

    assert body["overridden"] == "early"
    assert body["greeting"] == "Hello from probe"
    assert body["envFileSecret"] == ENV_FILE_SECRET
    assert body["apiKeySecret"] == PROBE_DOTENV_SECRET


def test_env_file_wins_over_dotenv_before_function(server):
    # SinchEnvFile comes before SinchFunction in /early. Its value must still win over the
    # function's .env, as it does in /probe, where SinchEnvFile comes after SinchFunction.
    body = requests.get(server.url("/early/vars"), timeout=5).json()

    assert body["sharedSecret"] == SHARED_ENV_FILE_SECRET


def test_location_without_overrides_uses_sinch_json(server):
    # /small serves the probe function without SinchVariable or SinchEnvFile.
    body = requests.get(server.url("/small/vars"), timeout=5).json()

    assert body["functionName"] == "probe"
    assert body["greeting"] == "Hello from probe"
    assert body["overridden"] == "from sinch.json"
    assert body["probeMode"] is None
    assert body["apiKeySecret"] == PROBE_DOTENV_SECRET
    assert body["envFileSecret"] is None
    assert body["sharedSecret"] == SHARED_DOTENV_SECRET


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
    for path in ("/probe/vars", "/early/vars", "/small/vars", "/probe/fail", "/probe/nested/whoami", "/probe/nosuch"):
        requests.get(server.url(path), timeout=5)
    requests.get(server.url("/secured/echo"), auth=(BASIC_USER, BASIC_PASSWORD), timeout=5)
    # The vars handler logs at debug level, which this server enables for sinchfn.
    time.sleep(0.2)

    log = server.log_text()
    assert "vars read GREETING" in log
    assert PROBE_DOTENV_SECRET not in log
    assert ENV_FILE_SECRET not in log
    assert SHARED_DOTENV_SECRET not in log
    assert SHARED_ENV_FILE_SECRET not in log
    assert BASIC_PASSWORD not in log


# ---- Require and AuthType ----

def test_basic_auth_required(server):
    marker = uuid.uuid4().hex

    response = requests.get(server.url(f"/secured/echo?marker={marker}"), timeout=5)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    time.sleep(0.2)
    assert not [line for line in server.log_text().splitlines() if marker in line and "SFN0400" in line]


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
    assert not [line for line in server.log_text().splitlines() if marker in line and "SFN0400" in line]


# ---- SetHandler without SinchFunction ----

def test_sethandler_without_function(workdir):
    # A server of its own: every Location of the shared server lies below "/", which has
    # a SinchFunction that nested Locations inherit.
    root = workdir / "sethandler"
    root.mkdir()
    root.chmod(0o755)
    port = free_port()
    server = ApacheServer(root, port, "event", config_header(root, port, "event") +
                          "<Location /fn>\n    SetHandler sinchfn\n</Location>\n")
    server.start()
    try:
        offset = server.log_size()
        response = requests.get(server.url("/fn/status"), timeout=5)
        line = server.wait_for_log("SFN0101", offset)
    finally:
        server.stop()

    assert response.status_code == 500
    assert "no SinchFunction is configured" in line, server.log_text()
    assert "/fn/status" in line
