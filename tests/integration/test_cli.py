"""The sinchfn command: `new` templates served by `dev`, hot reload, `build` errors,
`conf` output and the help text of every command."""

import json
import shutil
import socket
import threading
import time
from collections import Counter

import pytest
import requests

from sinchfn_testlib import (APACHE_MODULES, DevServer, config_header, config_test, free_port, make_shared_dir,
                             run_sinchfn)

TEMPLATES = ("minimal", "status", "ivr", "autoreply")
# Bounded waits and request loop of the hot reload test, in seconds and requests.
RELOAD_TIMEOUT = 30.0
LOAD_MAX_SECONDS = 60.0
LOAD_MAX_REQUESTS = 20000


@pytest.fixture
def scratch():
    """A directory under /tmp that the Apache User can read, removed after the test."""
    path = make_shared_dir("sinchfn-cli-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def new_function(parent, name, template):
    result = run_sinchfn("new", name, "--template", template, cwd=parent)
    assert result.returncode == 0, result.stderr
    return parent / name


def post_json_file(url, path):
    return requests.post(url, data=path.read_bytes(), headers={"Content-Type": "application/json"}, timeout=5)


@pytest.mark.parametrize("template", TEMPLATES)
def test_new_writes_project_layout(scratch, template):
    directory = new_function(scratch, f"fn-{template}", template)

    assert (directory / "function.c").is_file()
    assert (directory / "assets").is_dir()
    assert (directory / "public").is_dir()
    assert json.loads((directory / "sinch.json").read_text())["name"] == f"fn-{template}"
    assert isinstance(json.loads((directory / "sinch.json").read_text())["variables"], dict)
    env_lines = [line for line in (directory / ".env").read_text().splitlines() if not line.startswith("#")]
    assert env_lines
    assert all(line.endswith("=") for line in env_lines)
    assert ".env" in (directory / ".gitignore").read_text().splitlines()
    assert "function.so" in (directory / ".gitignore").read_text().splitlines()


def test_new_rejects_bad_input(scratch):
    unknown = run_sinchfn("new", "x", "--template", "nosuch", cwd=scratch)
    invalid = run_sinchfn("new", "bad name", cwd=scratch)
    new_function(scratch, "taken", "minimal")
    existing = run_sinchfn("new", "taken", cwd=scratch)

    assert unknown.returncode == 1
    assert "unknown template 'nosuch'" in unknown.stderr
    assert not (scratch / "x").exists()
    assert invalid.returncode == 1
    assert "invalid function name 'bad name'" in invalid.stderr
    assert existing.returncode == 1
    assert "already exists" in existing.stderr


def check_minimal(server, directory):
    response = requests.get(server.url("/hello?name=you"), timeout=5)
    assert response.status_code == 200
    assert response.json() == {"greeting": "Hello", "name": "you"}


def check_status(server, directory):
    response = requests.get(server.url("/status"), timeout=5)
    assert response.status_code == 200
    assert response.json()["functionName"] == "fn-status"
    assert response.json()["environment"] == "development"
    inbound = requests.post(server.url("/inbound"), json={"message": "hello"}, timeout=5)
    assert inbound.json() == {"received": True}
    ice = post_json_file(server.url("/ice"), directory / "ice.json")
    assert ice.json()["action"] == {"name": "hangup"}


def check_ivr(server, directory):
    ice = post_json_file(server.url("/ice"), directory / "ice.json")
    assert ice.status_code == 200
    assert ice.json()["action"]["name"] == "runMenu"
    pie = post_json_file(server.url("/pie"), directory / "pie.json")
    assert pie.json()["action"]["name"] == "connectPstn"


def check_autoreply(server, directory):
    response = post_json_file(server.url("/webhook/conversation"), directory / "inbound.json")
    assert response.status_code == 200
    assert response.json()["replied"] is True


CHECKS = {"minimal": check_minimal, "status": check_status, "ivr": check_ivr, "autoreply": check_autoreply}


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_builds_and_serves(scratch, template):
    directory = new_function(scratch, f"fn-{template}", template)
    server = DevServer(directory, free_port(), scratch / "dev.out")
    server.start()
    try:
        CHECKS[template](server, directory)
    finally:
        server.stop()
    assert server.process.returncode == 0, server.text()


class RequestLoop(threading.Thread):
    """GETs url on new connections until stopped or bounded; counts 200 bodies by
    their JSON and records every other outcome."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.stopped = threading.Event()
        self.bodies = Counter()
        self.failures = []

    def run(self):
        deadline = time.monotonic() + LOAD_MAX_SECONDS
        for _ in range(LOAD_MAX_REQUESTS):
            if self.stopped.is_set() or time.monotonic() >= deadline:
                return
            try:
                response = requests.get(self.url, headers={"Connection": "close"}, timeout=5)
            except requests.RequestException as error:
                self.failures.append(repr(error))
                continue
            if response.status_code != 200:
                self.failures.append(f"{response.status_code} {response.text[:200]}")
            else:
                self.bodies[response.text] += 1
            time.sleep(0.01)

    def stop(self):
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=LOAD_MAX_SECONDS)


def wait_for_body(loop, body):
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while loop.bodies[body] == 0 and loop.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    return loop.bodies[body] > 0


def test_dev_reloads_source_changes(scratch):
    directory = new_function(scratch, "live", "minimal")
    source = directory / "function.c"
    server = DevServer(directory, free_port(), scratch / "dev.out")
    server.start()
    loop = RequestLoop(server.url("/hello"))
    try:
        loop.start()
        assert wait_for_body(loop, '{"greeting":"Hello","name":"world"}'), server.text()

        source.write_text(source.read_text().replace('"name", json_object_new_string', '"who", json_object_new_string'))
        assert wait_for_body(loop, '{"greeting":"Hello","who":"world"}'), server.text()
        assert server.wait_for_output("reloaded", timeout=RELOAD_TIMEOUT)

        offset = len(server.text())
        source.write_text(source.read_text() + "\nthis does not compile\n")
        assert server.wait_for_output("the previous version keeps serving", offset, timeout=RELOAD_TIMEOUT), \
            server.text()
        failed_build = server.text()[offset:]
        served_after = requests.get(server.url("/hello"), timeout=5)
    finally:
        loop.stop()
        server.stop()

    assert "function.c:" in failed_build
    assert "error:" in failed_build
    assert served_after.status_code == 200
    assert served_after.json() == {"greeting": "Hello", "who": "world"}
    assert loop.failures == []
    assert set(loop.bodies) == {'{"greeting":"Hello","name":"world"}', '{"greeting":"Hello","who":"world"}'}


def test_dev_reports_port_in_use(scratch):
    directory = new_function(scratch, "busy", "minimal")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_sinchfn("dev", directory, "--port", port)

    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


def test_build_error_keeps_previous_object(scratch):
    directory = new_function(scratch, "broken", "minimal")
    assert run_sinchfn("build", directory).returncode == 0
    before = (directory / "function.so").read_bytes()
    (directory / "function.c").write_text("int broken(void) { return undeclared; }\n")

    result = run_sinchfn("build", directory)

    assert result.returncode == 1
    assert "function.c:1:" in result.stderr
    assert "'undeclared' undeclared" in result.stderr or "‘undeclared’ undeclared" in result.stderr
    assert (directory / "function.so").read_bytes() == before
    assert not list(directory.glob(".function.so.*"))


def test_conf_prints_location_block(scratch):
    directory = new_function(scratch, "shop", "status")
    assert run_sinchfn("build", directory).returncode == 0

    default = run_sinchfn("conf", directory)
    custom = run_sinchfn("conf", directory, "--location", "/api/shop")

    assert default.returncode == 0
    assert default.stdout.splitlines()[1:] == ["<Location /shop>", f'    SinchFunction "{directory}"',
                                               "    SinchEnvironment production", "</Location>"]
    assert custom.stdout.splitlines()[1] == "<Location /api/shop>"
    assert run_sinchfn("conf", directory, "--location", "no-slash").returncode == 1


def test_conf_output_passes_config_test(scratch):
    directory = new_function(scratch, "checked", "ivr")
    assert run_sinchfn("build", directory).returncode == 0
    block = run_sinchfn("conf", directory).stdout
    root = scratch / "server"
    root.mkdir()
    conf = root / "httpd.conf"
    conf.write_text(config_header(root, free_port(), "event") +
                    f"LoadModule socache_shmcb_module {APACHE_MODULES / 'mod_socache_shmcb.so'}\n" + block)

    checked = config_test(conf)

    assert checked.returncode == 0, checked.stdout
    assert "Syntax OK" in checked.stdout


@pytest.mark.parametrize("verb,options", [("new", ["--template", "minimal", "status", "ivr", "autoreply"]),
                                          ("build", ["-fvisibility=hidden", "pkg-config"]),
                                          ("dev", ["--port", "3000", "development"]),
                                          ("conf", ["--location"]),
                                          ("test", ["PYTEST ARGS"])])
def test_help_describes_options(verb, options):
    by_option = run_sinchfn(verb, "--help")
    by_help = run_sinchfn("help", verb)

    assert by_option.returncode == 0
    assert by_option.stdout.startswith(f"Usage: sinchfn {verb}")
    assert by_help.stdout == by_option.stdout
    for option in options:
        assert option in by_option.stdout


def test_help_lists_every_command():
    result = run_sinchfn("--help")

    assert result.returncode == 0
    for verb in ("new NAME", "build DIR", "dev [DIR]", "conf DIR", "test"):
        assert verb in result.stdout
