"""Fixtures of the integration tests: the built function objects (handlers/example,
handlers/calllog and tests/integration/functions/*) and one Apache server
per MPM that serves them from several <Location> blocks.

Locations of the shared server:
  /               the example function (handlers/example), SinchEnvironment development
  /probe          the probe function with SinchVariable, SinchEnvFile and its own .env,
                  production without callback signature checks
  /probe/nested   the other function, nested in /probe's Location
  /early          the probe function with SinchVariable and SinchEnvFile before SinchFunction
  /other          the other function with its own SinchVariable
  /small          the probe function with SinchMaxBodySize 64
  /secured        the probe function behind AuthType Basic and Require valid-user
  /denied         the probe function behind Require all denied
  /clash-a        clasha, built without hidden visibility
  /clash-b        clashb, built without hidden visibility, with the same helper name
  /ivr            the IVR example function (handlers/ivr)
  /autoreply      the auto-reply example function (handlers/autoreply)
  /fallback       the probe function with SinchVoiceFallback in Swedish
  /fallback/silent  nested in /fallback, with SinchVoiceFallback none
  /public         the public function, whose public/ directory test_public.py writes
  /nogreeting     the example function with an empty SinchStorage directory
"""

import os
import pwd
import shlex
import shutil
import subprocess

import pytest

from sinchfn_testlib import (MPMS, ApacheServer, build_function, config_header, copy_function, free_port,
                             make_shared_dir, module_path, source_dir)

FUNCTION_SOURCES = source_dir() / "tests" / "integration" / "functions"
EXAMPLE_FUNCTIONS = ("example", "ivr", "autoreply", "calllog")

# Fake credentials of the test configuration. Tests check that they reach the handler
# and never appear in the error log.
PROBE_DOTENV_SECRET = "dotenv-api-key-7c2f0d"
ENV_FILE_SECRET = "envfile-token-5ee1a9"
# SHARED_TOKEN is set in both the probe's .env and the SinchEnvFile file.
SHARED_DOTENV_SECRET = "shared-from-dotenv-41d8"
SHARED_ENV_FILE_SECRET = "shared-from-envfile-c0a2"
BASIC_USER = "tester"
BASIC_PASSWORD = "basic-pass-91b3"

SMALL_MAX_BODY = 64


@pytest.fixture(scope="session")
def workdir():
    """A scratch directory the Apache `User` can read, removed after the session."""
    if not module_path().is_file():
        pytest.exit(f"mod_sinchfn.so not found at {module_path()}; run make or set SINCHFN_MODULE", returncode=1)
    path = make_shared_dir("sinchfn-it-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def functions(workdir):
    """Copies of the handlers/ examples and of every tests/integration/functions/* directory,
    each built with `sinchfn build`, as a dict of name -> directory."""
    parent = workdir / "functions"
    parent.mkdir()
    parent.chmod(0o755)
    sources = {name: source_dir() / "handlers" / name for name in EXAMPLE_FUNCTIONS}
    sources.update({path.name: path for path in sorted(FUNCTION_SOURCES.iterdir()) if path.is_dir()})

    built = {}
    for name, source in sources.items():
        directory = copy_function(source, parent / name)
        build_function(directory)
        built[name] = directory
    for name in ("clasha", "clashb"):
        build_without_hidden_visibility(built[name])
    write_greeting(built["example"])
    (built["probe"] / ".env").write_text(f"# Secrets of the probe function\nAPI_KEY={PROBE_DOTENV_SECRET}\n"
                                         f"SHARED_TOKEN={SHARED_DOTENV_SECRET}\n")
    return built


def write_greeting(directory):
    """Store the greeting that the example's /greeting endpoint reads, in a fresh storage
    directory owned by the Apache User, as mod_sinchfn would create it."""
    storage = directory / "storage"
    shutil.rmtree(storage, ignore_errors=True)
    shutil.rmtree(directory / "database", ignore_errors=True)
    storage.mkdir()
    (storage / "greeting.txt").write_text("Welcome to the example function!\n")
    if os.geteuid() == 0:
        user = pwd.getpwnam("www-data")
        for path in (storage, storage / "greeting.txt"):
            os.chown(path, user.pw_uid, user.pw_gid)


def build_without_hidden_visibility(directory):
    """Rebuild a function so that every non-static symbol is exported, as a careless
    manual build would."""
    flags = subprocess.run(["pkg-config", "--cflags", "apr-1", "json-c"], capture_output=True, text=True,
                           check=True).stdout
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-I", str(source_dir() / "include"), *shlex.split(flags),
                    "-o", str(directory / "function.so"), str(directory / "function.c")],
                   check=True, capture_output=True, timeout=120)


def main_config(root, port, mpm, functions) -> str:
    """Return the httpd.conf of the shared server (see the module docstring)."""
    # mod_unique_id supplies the request id under the event MPM. Under prefork the id is
    # the one mod_sinchfn generates itself, so both sources are covered.
    modules = ["authn_core", "authz_user", "auth_basic", "authn_file"]
    if mpm == "event":
        modules.append("unique_id")
    return config_header(root, port, mpm, modules) + f"""
<Location />
    SinchFunction "{functions['example']}"
    SinchEnvironment development
</Location>
<Location /probe>
    SinchFunction "{functions['probe']}"
    SinchEnvironment production
    SinchWebhookProtection never
    SinchVariable PROBE_MODE configured
    SinchVariable OVERRIDDEN "from SinchVariable"
    SinchEnvFile "{root}/probe-secrets.env"
</Location>
<Location /probe/nested>
    SinchFunction "{functions['other']}"
</Location>
<Location /early>
    SinchVariable OVERRIDDEN early
    SinchEnvFile "{root}/probe-secrets.env"
    SinchFunction "{functions['probe']}"
</Location>
<Location /other>
    SinchFunction "{functions['other']}"
    SinchVariable OTHER_MODE other-configured
</Location>
<Location /small>
    SinchFunction "{functions['probe']}"
    SinchMaxBodySize {SMALL_MAX_BODY}
</Location>
<Location /secured>
    SinchFunction "{functions['probe']}"
    SinchWebhookProtection never
    AuthType Basic
    AuthName "sinchfn tests"
    AuthBasicProvider file
    AuthUserFile "{root}/htpasswd"
    Require valid-user
</Location>
<Location /denied>
    SinchFunction "{functions['probe']}"
    Require all denied
</Location>
<Location /clash-a>
    SinchFunction "{functions['clasha']}"
</Location>
<Location /clash-b>
    SinchFunction "{functions['clashb']}"
</Location>
<Location /ivr>
    SinchFunction "{functions['ivr']}"
    SinchWebhookProtection never
</Location>
<Location /autoreply>
    SinchFunction "{functions['autoreply']}"
    SinchWebhookProtection never
</Location>
<Location /fallback>
    SinchFunction "{functions['probe']}"
    SinchVoiceFallback "Tack för samtalet, försök igen senare." sv-SE
    SinchWebhookProtection never
</Location>
<Location /fallback/silent>
    SinchVoiceFallback none
</Location>
<Location /public>
    SinchFunction "{functions['public']}"
</Location>
<Location /nogreeting>
    SinchFunction "{functions['example']}"
    SinchEnvironment development
    SinchStorage "{root}/nogreeting-storage"
</Location>
"""


@pytest.fixture(scope="session", params=MPMS, ids=[f"mpm-{mpm}" for mpm in MPMS])
def server(request, workdir, functions):
    """The shared server, started once per MPM."""
    mpm = request.param
    root = workdir / f"server-{mpm}"
    root.mkdir()
    root.chmod(0o755)
    (root / "probe-secrets.env").write_text(f'ENV_FILE_TOKEN="{ENV_FILE_SECRET}"\n'
                                            f"SHARED_TOKEN='{SHARED_ENV_FILE_SECRET}'\n")
    subprocess.run(["htpasswd", "-cb", str(root / "htpasswd"), BASIC_USER, BASIC_PASSWORD], check=True,
                   capture_output=True, timeout=30)
    (root / "htpasswd").chmod(0o644)

    port = free_port()
    apache = ApacheServer(root, port, mpm, main_config(root, port, mpm, functions))
    apache.start()
    yield apache
    apache.stop()
