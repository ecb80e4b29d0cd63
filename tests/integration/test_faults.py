"""Faults of the services a function uses: Redis stopped, paused and restarted while the
cache is in use, and storage that cannot be written. Each failed call reaches the handler,
which passes it on as 503 JSON."""

import os
import resource
import signal

import pytest
import requests

from conftest import FUNCTION_SOURCES
from sinchfn_testlib import (MPMS, ApacheServer, build_function, config_header, config_test, copy_function,
                             free_port)
from test_cache import RedisServer

# SinchCacheTimeout of the Redis tests, in milliseconds.
CACHE_TIMEOUT_MS = 300
# Requests tried after Redis returns before service counts as not resumed.
RESUME_ATTEMPTS = 20
# RLIMIT_FSIZE of the Apache processes of the full-disk test, in bytes.
FILE_SIZE_LIMIT = 1024 * 1024


def make_root(workdir, name):
    root = workdir / name
    root.mkdir()
    root.chmod(0o755)
    return root


def faults_function(root):
    directory = copy_function(FUNCTION_SOURCES / "faults", root / "faults")
    build_function(directory)
    return directory


def assert_unavailable(response):
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]


@pytest.mark.parametrize("mpm", MPMS, ids=[f"mpm-{mpm}" for mpm in MPMS])
def test_redis_outage_and_recovery(mpm, workdir):
    root = make_root(workdir, f"faults-redis-{mpm}")
    redis_root = make_root(workdir, f"faults-redis-{mpm}-data")
    redis = RedisServer(redis_root)
    function_dir = faults_function(root)
    port = free_port()
    server = ApacheServer(root, port, mpm, config_header(root, port, mpm) +
                          f"SinchCache redis:127.0.0.1:{redis.port}\nSinchCacheTimeout {CACHE_TIMEOUT_MS}\n"
                          f'<Location />\n    SinchFunction "{function_dir}"\n</Location>\n')
    url = server.url("/counter")
    redis.start()
    server.start()
    try:
        before = requests.get(url, timeout=10)

        redis.process.send_signal(signal.SIGSTOP)
        paused = requests.get(url, timeout=10)
        redis.process.send_signal(signal.SIGCONT)

        redis.stop()
        stopped = [requests.get(url, timeout=10) for _ in range(3)]

        redis.start()
        resumed = None
        for _ in range(RESUME_ATTEMPTS):
            resumed = requests.get(url, timeout=10)
            if resumed.status_code == 200:
                break
        after = [requests.get(url, timeout=10) for _ in range(5)]
        log = server.log_text()
    finally:
        server.stop()
        redis.stop()

    assert before.status_code == 200
    assert before.json() == {"count": 1}
    assert_unavailable(paused)
    assert f"timed out after {CACHE_TIMEOUT_MS} ms" in paused.json()["error"]
    for response in stopped:
        assert_unavailable(response)
    assert any(f"connecting to Redis at 127.0.0.1:{redis.port} failed" in response.json()["error"]
               for response in stopped)
    assert resumed.status_code == 200
    assert [response.status_code for response in after] == [200] * 5
    assert "SFN0602" in log


def test_cache_timeout_directive_rejects_invalid(workdir):
    root = make_root(workdir, "faults-timeout-directive")
    port = free_port()
    conf = root / "httpd.conf"
    conf.write_text(config_header(root, port, "event") + "SinchCacheTimeout 0\n")
    checked = config_test(conf)

    assert checked.returncode != 0
    assert "SinchCacheTimeout: '0' is not a number of milliseconds from 1 to 60000" in checked.stdout


def storage_files(directory):
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file())


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run Apache as another user than the directory owner")
def test_storage_unwritable_directory(workdir):
    root = make_root(workdir, "faults-unwritable")
    function_dir = faults_function(root)
    storage = root / "storage"
    storage.mkdir()
    storage.chmod(0o555)
    port = free_port()
    server = ApacheServer(root, port, "event", config_header(root, port, "event") +
                          f'<Location />\n    SinchFunction "{function_dir}"\n'
                          f'    SinchStorage "{storage}"\n</Location>\n')
    server.start()
    try:
        response = requests.post(server.url("/store?key=note"), data=b"text", timeout=10)
    finally:
        server.stop()

    assert_unavailable(response)
    assert "note" in response.json()["error"]
    assert storage_files(storage) == []


def limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def test_storage_full_disk_leaves_no_torn_file(workdir):
    root = make_root(workdir, "faults-full")
    function_dir = faults_function(root)
    port = free_port()
    server = ApacheServer(root, port, "prefork", config_header(root, port, "prefork") +
                          f'<Location />\n    SinchFunction "{function_dir}"\n'
                          f"    SinchMaxBodySize {4 * FILE_SIZE_LIMIT}\n</Location>\n")
    server.start(preexec_fn=limit_file_size)
    storage = function_dir / "storage"
    try:
        small = requests.post(server.url("/store?key=value"), data=b"old", timeout=10)
        large = requests.post(server.url("/store?key=value"), data=b"x" * (2 * FILE_SIZE_LIMIT), timeout=30)
        again = requests.post(server.url("/store?key=other"), data=b"fits", timeout=10)
        log = server.log_text()
    finally:
        server.stop()

    assert small.status_code == 200
    assert_unavailable(large)
    assert "value" in large.json()["error"]
    assert again.status_code == 200
    assert storage_files(storage) == ["other", "value"]
    assert (storage / "value").read_bytes() == b"old"
    assert "exit signal" not in log
