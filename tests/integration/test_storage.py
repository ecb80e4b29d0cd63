"""The storage API against a real server: atomic writes under concurrent writers from
several processes, key checks against traversal, listing by prefix, and the storage
directory created at start-up for the Apache User."""

import os
import pwd
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sinchfn_testlib import MPMS, ApacheServer, config_header, free_port

WRITERS = 8
WRITES_PER_WRITER = 15
PAYLOAD_BYTES = 256 * 1024
READS = 60

MPM_LINES = {
    "prefork": "StartServers 6\nMinSpareServers 6\nMaxSpareServers 12\nServerLimit 24\nMaxRequestWorkers 24\n",
    "event": "StartServers 3\nServerLimit 3\nThreadsPerChild 8\nMinSpareThreads 8\nMaxSpareThreads 24\n"
             "MaxRequestWorkers 24\n",
}


@pytest.fixture(scope="module", params=MPMS, ids=[f"mpm-{mpm}" for mpm in MPMS])
def storage_server(request, workdir, functions):
    mpm = request.param
    root = workdir / f"storage-{mpm}"
    root.mkdir()
    root.chmod(0o755)
    port = free_port()
    config = (config_header(root, port, mpm) + MPM_LINES[mpm] +
              f'<Location /state>\n    SinchFunction "{functions["state"]}"\n'
              f'    SinchStorage "{root}/data"\n</Location>\n'
              f'<Location /twin>\n    SinchFunction "{functions["statetwin"]}"\n</Location>\n')
    apache = ApacheServer(root, port, mpm, config)
    apache.storage = root / "data"
    apache.start()
    yield apache
    apache.stop()


def storage_op(server, op, path="/state/storage", **fields):
    fields["op"] = op
    response = requests.post(server.url(path), json=fields, headers={"Connection": "close"}, timeout=10)
    return response.status_code, response.json()


def test_storage_directory_created_for_user(storage_server, functions):
    default_dir = functions["statetwin"] / "storage"

    for directory in (storage_server.storage, default_dir):
        assert directory.is_dir()
        if os.geteuid() == 0:
            assert pwd.getpwuid(directory.stat().st_uid).pw_name == "www-data"


def test_write_then_read_text(storage_server):
    status, written = storage_op(storage_server, "write", key="notes/today.txt", text="hello storage")
    assert status == 200, written

    status, read = storage_op(storage_server, "read", key="notes/today.txt")

    assert status == 200, read
    assert read["text"] == "hello storage"
    assert (storage_server.storage / "notes" / "today.txt").read_text() == "hello storage"


def test_write_bytes_round_trip(storage_server):
    data = list(range(256))
    status, written = storage_op(storage_server, "writeBytes", key="blob.bin", bytes=data)
    assert status == 200, written

    read = storage_op(storage_server, "read", key="blob.bin")[1]

    assert read["bytes"] == data
    assert (storage_server.storage / "blob.bin").read_bytes() == bytes(data)


def test_read_missing_not_found(storage_server):
    status, result = storage_op(storage_server, "read", key="never/written")

    assert status == 400
    assert result["error"] == "storage key 'never/written' not found"
    assert result["notFound"] is True


def test_exists_and_delete(storage_server):
    storage_op(storage_server, "write", key="temp/x", text="1")

    before = storage_op(storage_server, "exists", key="temp/x")[1]
    first = storage_op(storage_server, "delete", key="temp/x")[1]
    second = storage_op(storage_server, "delete", key="temp/x")[1]
    after = storage_op(storage_server, "exists", key="temp/x")[1]

    assert before["exists"] is True
    assert first["deleted"] is True
    assert second["deleted"] is False
    assert after["exists"] is False


def test_list_by_prefix(storage_server):
    for key in ("logs/2024/a", "logs/2024/b", "logs/2025/c", "logsheet", "other"):
        assert storage_op(storage_server, "write", key=key, text=key)[0] == 200

    year = storage_op(storage_server, "list", prefix="logs/2024/")[1]
    logs = storage_op(storage_server, "list", prefix="logs/")[1]
    partial = storage_op(storage_server, "list", prefix="logs")[1]

    assert year["keys"] == ["logs/2024/a", "logs/2024/b"]
    assert logs["keys"] == ["logs/2024/a", "logs/2024/b", "logs/2025/c"]
    assert partial["keys"] == ["logs/2024/a", "logs/2024/b", "logs/2025/c", "logsheet"]
    assert "other" in storage_op(storage_server, "list", prefix="")[1]["keys"]


@pytest.mark.parametrize("key, fragment", [
    ("../escape", "contains a '.' or '..' segment"),
    ("a/../../escape", "contains a '.' or '..' segment"),
    ("a/./b", "contains a '.' or '..' segment"),
    ("..", "contains a '.' or '..' segment"),
    ("/etc/passwd", "is an absolute path"),
    ("a\\b", "contains a backslash"),
    ("a//b", "has an empty segment"),
    ("a/", "has an empty segment"),
    ("", "the storage key is empty"),
    ("line\nbreak", "contains the control character 0x0a"),
    ("a/.sinchfn-tmp-x", "uses the reserved prefix"),
    ("k" * 1025, "more than the maximum of 1024"),
], ids=["parent", "nested-parent", "dot", "dotdot", "absolute", "backslash", "empty-segment", "trailing-slash",
        "empty", "control", "temp-prefix", "too-long"])
def test_unsafe_key_rejected(storage_server, key, fragment):
    offset = storage_server.log_size()

    status, result = storage_op(storage_server, "write", key=key, text="x")

    assert status == 400
    assert fragment in result["error"]
    assert "[sinchfn:info]" in storage_server.wait_for_log("SFN0601", offset)
    assert not (storage_server.storage.parent / "escape").exists()


def test_nul_in_key_rejected(storage_server):
    status, result = storage_op(storage_server, "write", key="a\u0000b", text="x")

    assert status == 400
    assert "NUL" in result["error"]


@pytest.mark.parametrize("prefix", ["../", "/abs", "a/..", "x\\y"])
def test_unsafe_prefix_rejected(storage_server, prefix):
    status, result = storage_op(storage_server, "list", prefix=prefix)

    assert status == 400
    assert "storage prefix" in result["error"]


def test_functions_have_separate_storage(storage_server):
    storage_op(storage_server, "write", key="mine", text="state's")

    status, result = storage_op(storage_server, "read", path="/twin/storage", key="mine")

    assert status == 400
    assert result["notFound"] is True


def test_concurrent_writers_never_tear(storage_server):
    key = "contended/value"
    payloads = {chr(ord("a") + writer) * PAYLOAD_BYTES for writer in range(WRITERS)}
    assert storage_op(storage_server, "write", key=key, text="a" * PAYLOAD_BYTES)[0] == 200
    torn = []
    stop = threading.Event()

    def writer(index):
        text = chr(ord("a") + index) * PAYLOAD_BYTES
        for _ in range(WRITES_PER_WRITER):
            status, result = storage_op(storage_server, "write", key=key, text=text)
            assert status == 200, result

    def reader():
        for _ in range(READS):
            if stop.is_set():
                return
            data = (storage_server.storage / "contended" / "value").read_text()
            if data not in payloads:
                torn.append(len(data))

    with ThreadPoolExecutor(max_workers=WRITERS + 1) as pool:
        read_future = pool.submit(reader)
        list(pool.map(writer, range(WRITERS)))
        stop.set()
        read_future.result()

    final = storage_op(storage_server, "read", key=key)[1]["text"]
    assert torn == []
    assert final in payloads
    assert [name for name in os.listdir(storage_server.storage / "contended") if name != "value"] == []


def test_asset_read(storage_server):
    response = requests.get(storage_server.url("/state/asset"), params={"name": "greetings/welcome.txt"}, timeout=5)

    assert response.status_code == 200, response.text
    assert response.json() == {"text": "Welcome to the state function!\n", "length": 31}


def test_asset_missing_not_found(storage_server):
    response = requests.get(storage_server.url("/state/asset"), params={"name": "nope.txt"}, timeout=5)

    assert response.status_code == 400
    assert response.json()["error"] == "asset 'nope.txt' not found"
    assert response.json()["notFound"] is True


@pytest.mark.parametrize("name", ["../outside.txt", "greetings/../../outside.txt", "/etc/passwd",
                                  "greetings\\welcome.txt"])
def test_asset_traversal_rejected(storage_server, name):
    response = requests.get(storage_server.url("/state/asset"), params={"name": name}, timeout=5)

    assert response.status_code == 400
    assert "asset read rejected" in response.json()["error"]
    assert response.json()["notFound"] is False


def test_symlinked_directory_not_followed(storage_server, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    outside.chmod(0o777)
    (outside / "secret.txt").write_text("outside")
    (outside / "secret.txt").chmod(0o644)
    (storage_server.storage / "dlink").symlink_to(outside)

    written = storage_op(storage_server, "write", key="dlink/new.txt", text="x")
    read = storage_op(storage_server, "read", key="dlink/secret.txt")
    exists = storage_op(storage_server, "exists", key="dlink/secret.txt")

    assert written[0] == 400
    assert "symbolic link" in written[1]["error"]
    assert not (outside / "new.txt").exists()
    assert read[0] == 400
    assert read[1]["notFound"] is True
    assert exists[1]["exists"] is False


def test_symlinked_file_not_followed(storage_server, tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("outside")
    target.chmod(0o644)
    (storage_server.storage / "flink").symlink_to(target)

    read = storage_op(storage_server, "read", key="flink")
    deleted = storage_op(storage_server, "delete", key="flink")

    assert read[0] == 400
    assert read[1]["notFound"] is True
    assert deleted[1]["deleted"] is False
    assert target.read_text() == "outside"


def test_fifo_read_not_blocking(storage_server):
    os.mkfifo(storage_server.storage / "fifo")

    status, result = storage_op(storage_server, "read", key="fifo")

    assert status == 400
    assert result["notFound"] is True


def test_long_segment_rejected(storage_server):
    status, result = storage_op(storage_server, "write", key="k" * 256, text="x")

    assert status == 400
    assert "more than the file system's maximum of 255" in result["error"]
