"""The database API against real components. Each function's default SQLite file takes
concurrent writers from several processes. The call-log example is driven with DICE
bodies, and storage is kept in the database (SinchStorage dbd). The same handlers run
against a PostgreSQL server through mod_dbd."""

import json
import os
import pwd
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from postgres import PostgresServer, missing_reason
from sinchfn_testlib import MPMS, ApacheServer, config_header, config_test, copy_function, free_port, source_dir

VECTORS = source_dir() / "tests" / "vectors" / "callback-payloads"
WRITERS = 8
WRITES_PER_WRITER = 25

MPM_LINES = {
    "prefork": "StartServers 6\nMinSpareServers 6\nMaxSpareServers 12\nServerLimit 24\nMaxRequestWorkers 24\n",
    "event": "StartServers 3\nServerLimit 3\nThreadsPerChild 8\nMinSpareThreads 8\nMaxSpareThreads 24\n"
             "MaxRequestWorkers 24\n",
}

# PostgreSQL prepares SELECT, INSERT, UPDATE and DELETE only, so the table is created with ad hoc SQL.
CREATE_ITEMS = "CREATE TABLE IF NOT EXISTS items (writer VARCHAR(64), n INTEGER)"
STATEMENTS = """    SinchDatabaseStatement insert_item "INSERT INTO items (writer, n) VALUES (%s, %d)"
    SinchDatabaseStatement count_items "SELECT COUNT(*) AS total FROM items"
    SinchDatabaseStatement items_of "SELECT n FROM items WHERE writer = %s ORDER BY n"
"""


def locations(functions, database_line, extra=""):
    """Return the <Location> blocks of a database server; database_line selects the backend."""
    return (f'<Location /calllog>\n    SinchFunction "{functions["calllog"]}"\n    SinchWebhookProtection never\n'
            f"{database_line}</Location>\n"
            f'<Location /dbprobe>\n    SinchFunction "{functions["dbprobe"]}"\n{database_line}{STATEMENTS}'
            "</Location>\n"
            f'<Location /state>\n    SinchFunction "{functions["state"]}"\n    SinchStorage dbd\n{database_line}'
            f"</Location>\n{extra}")


def start_sqlite_server(workdir, functions, mpm):
    root = workdir / f"database-{mpm}"
    root.mkdir()
    root.chmod(0o755)
    # Each server gets its own copies, so each starts from an empty database file.
    copies = {name: copy_function(functions[name], root / name) for name in ("calllog", "dbprobe", "state")}
    for directory in copies.values():
        (directory / "function.so").write_bytes((functions[directory.name] / "function.so").read_bytes())
        # Servers started earlier in the session created a database in the original.
        shutil.rmtree(directory / "database", ignore_errors=True)
    port = free_port()
    apache = ApacheServer(root, port, mpm, config_header(root, port, mpm) + MPM_LINES[mpm] + locations(copies, ""))
    apache.functions = copies
    apache.start()
    return apache


def start_pgsql_server(workdir, functions, postgres):
    root = workdir / "database-pgsql"
    root.mkdir()
    root.chmod(0o755)
    port = free_port()
    config = (config_header(root, port, "prefork", ["dbd"]) + MPM_LINES["prefork"] +
              f'DBDriver pgsql\nDBDParams "{postgres.dbd_params()}"\n' +
              locations(functions, "    SinchDatabase dbd\n"))
    apache = ApacheServer(root, port, "prefork", config)
    apache.start()
    return apache


@pytest.fixture(scope="module")
def postgres(workdir):
    reason = missing_reason()
    if reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    server = PostgresServer(workdir / "postgres")
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


BACKENDS = [f"sqlite3-{mpm}" for mpm in MPMS] + ["pgsql-prefork"]


@pytest.fixture(scope="module", params=BACKENDS)
def db_server(request, workdir, functions):
    """A server whose functions use SQLite files (under each MPM) or PostgreSQL through mod_dbd."""
    driver, mpm = request.param.split("-")
    if driver == "sqlite3":
        apache = start_sqlite_server(workdir, functions, mpm)
    else:
        apache = start_pgsql_server(workdir, functions, request.getfixturevalue("postgres"))
    apache.driver = driver
    yield apache
    apache.stop()


def sql(server, op, statement, *args):
    response = requests.post(server.url("/dbprobe/sql"), json={"op": op, "statement": statement, "args": list(args)},
                             headers={"Connection": "close"}, timeout=20)
    return response.status_code, response.json()


def post_dice(server, payload):
    return requests.post(server.url("/calllog/dice"), data=json.dumps(payload),
                         headers={"Content-Type": "application/json", "Connection": "close"}, timeout=10)


def storage_op(server, op, **fields):
    fields["op"] = op
    response = requests.post(server.url("/state/storage"), json=fields, headers={"Connection": "close"}, timeout=10)
    return response.status_code, response.json()


def test_sqlite_file_created_for_user(db_server):
    if db_server.driver != "sqlite3":
        pytest.skip("only SQLite databases are files of the function")
    for directory in db_server.functions.values():
        database = directory / "database" / "function.sqlite3"
        assert database.is_file()
        if os.geteuid() == 0:
            assert pwd.getpwuid(database.stat().st_uid).pw_name == "www-data"
            assert pwd.getpwuid(database.parent.stat().st_uid).pw_name == "www-data"


def test_driver_name(db_server):
    assert requests.get(db_server.url("/dbprobe/driver"), timeout=5).json() == {"driver": db_server.driver}


def test_concurrent_writers_exact_count(db_server):
    assert sql(db_server, "executeSql", CREATE_ITEMS)[0] == 200
    before = int(sql(db_server, "select", "count_items")[1]["rows"][0]["total"])
    offset = db_server.log_size()

    def writer(index):
        results = [sql(db_server, "execute", "insert_item", f"writer-{index}", str(n))
                   for n in range(WRITES_PER_WRITER)]
        return [result for result in results if result != (200, {"affected": 1})]

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        failures = [failure for failed in pool.map(writer, range(WRITERS)) for failure in failed]

    assert failures == []
    total = int(sql(db_server, "select", "count_items")[1]["rows"][0]["total"])
    assert total - before == WRITERS * WRITES_PER_WRITER
    mine = sql(db_server, "select", "items_of", "writer-3")[1]["rows"]
    assert [int(row["n"]) for row in mine][-WRITES_PER_WRITER:] == list(range(WRITES_PER_WRITER))
    assert "database is locked" not in db_server.log_since(offset)


def test_prefork_writers_use_several_children(db_server):
    if db_server.mpm != "prefork":
        pytest.skip("the process count only matters under prefork")
    pids = set()
    for _ in range(30):
        pids.add(requests.get(db_server.url("/state/pid"), headers={"Connection": "close"}, timeout=5)
                 .json()["pid"])
    assert len(pids) > 1


def test_ad_hoc_sql_with_null_argument(db_server):
    assert sql(db_server, "executeSql", "CREATE TABLE IF NOT EXISTS notes (title VARCHAR(64), body TEXT)")[0] == 200
    assert sql(db_server, "executeSql", "INSERT INTO notes (title, body) VALUES (%s, %s)", "empty", None) == \
        (200, {"affected": 1})

    status, result = sql(db_server, "selectSql", "SELECT title, body FROM notes WHERE title = %s", "empty")

    assert status == 200
    assert result["rows"] == [{"title": "empty", "body": None}]


def test_invalid_sql_is_500_and_logged(db_server):
    offset = db_server.log_size()

    status, result = sql(db_server, "selectSql", "SELEC nonsense")

    assert status == 500
    assert result["unavailable"] is False
    assert result["error"].startswith("database select failed: ")
    line = db_server.wait_for_log("SFN0632", offset)
    assert "[sinchfn:error]" in line
    assert "[function dbprobe]" in line
    assert "[request " in line


def test_undeclared_statement_rejected(db_server):
    status, result = sql(db_server, "select", "no_such_label")

    assert status == 500
    assert "no statement 'no_such_label' is declared" in result["error"]


def test_argument_count_mismatch_rejected(db_server):
    status, result = sql(db_server, "execute", "insert_item", "only-one")

    assert status == 500
    assert result["error"] == ("database execute of statement 'insert_item' rejected: the SQL has 2 placeholders "
                               "but 1 arguments were given")


def test_unsupported_placeholder_rejected(db_server):
    status, result = sql(db_server, "selectSql", "SELECT %f")

    assert status == 500
    assert "placeholder '%f'" in result["error"]


@pytest.mark.parametrize("vector", ["dice-e2e.json", "dice-node.json"])
def test_calllog_records_dice(db_server, vector):
    payload = json.loads((VECTORS / vector).read_text())["payload"]

    response = post_dice(db_server, payload)

    assert response.status_code == 200, response.text
    assert response.content == b""
    calls = requests.get(db_server.url("/calllog/calls"), timeout=5).json()["calls"]
    assert {"callid": payload["callid"], "result": payload["result"], "reason": payload["reason"],
            "duration": payload["duration"]} in calls


def test_calllog_lists_in_order_with_limit(db_server):
    payload = json.loads((VECTORS / "dice-node.json").read_text())["payload"]
    ids = [f"order-{db_server.port}-{n}" for n in range(5)]
    for n, callid in enumerate(ids):
        assert post_dice(db_server, dict(payload, callid=callid, duration=n)).status_code == 200

    listed = requests.get(db_server.url("/calllog/calls"), params={"limit": "3"}, timeout=5).json()

    assert listed["count"] == 3
    assert [call["callid"] for call in listed["calls"]] == ids[2:]
    assert [call["duration"] for call in listed["calls"]] == [2, 3, 4]


@pytest.mark.parametrize("limit", ["0", "1001", "x", ""])
def test_calllog_invalid_limit(db_server, limit):
    response = requests.get(db_server.url("/calllog/calls"), params={"limit": limit}, timeout=5)

    assert response.status_code == 400


def test_dbd_storage_round_trip(db_server):
    data = list(range(256))

    assert storage_op(db_server, "writeBytes", key="blobs/all.bin", bytes=data)[0] == 200
    assert storage_op(db_server, "write", key="notes/a", text="first")[0] == 200
    assert storage_op(db_server, "write", key="notes/a", text="second")[0] == 200
    assert storage_op(db_server, "write", key="notesheet", text="x")[0] == 200

    assert storage_op(db_server, "read", key="blobs/all.bin")[1]["bytes"] == data
    assert storage_op(db_server, "read", key="notes/a")[1]["text"] == "second"
    assert storage_op(db_server, "list", prefix="notes/")[1]["keys"] == ["notes/a"]
    assert storage_op(db_server, "list", prefix="notes")[1]["keys"] == ["notes/a", "notesheet"]
    assert storage_op(db_server, "exists", key="notes/a")[1]["exists"] is True
    assert storage_op(db_server, "delete", key="notes/a")[1]["deleted"] is True
    assert storage_op(db_server, "delete", key="notes/a")[1]["deleted"] is False
    assert storage_op(db_server, "exists", key="notes/a")[1]["exists"] is False


def test_dbd_storage_missing_key_not_found(db_server):
    status, result = storage_op(db_server, "read", key="never/written")

    assert status == 400
    assert result["error"] == "storage key 'never/written' not found"
    assert result["notFound"] is True


def test_dbd_storage_rejects_traversal(db_server):
    status, result = storage_op(db_server, "write", key="../escape", text="x")

    assert status == 400
    assert "contains a '.' or '..' segment" in result["error"]


def test_dbd_storage_in_postgres_table(db_server, request):
    if db_server.driver != "pgsql":
        pytest.skip("the table is checked with psql")
    postgres = request.getfixturevalue("postgres")
    assert storage_op(db_server, "write", key="shared/key", text="visible")[0] == 200

    rows = postgres.query("SELECT function_name, name FROM sinchfn_storage WHERE name = 'shared/key'")

    assert rows.strip() == "state|shared/key"


def test_unreachable_database_is_503(workdir, functions):
    root = workdir / "database-down"
    root.mkdir()
    root.chmod(0o755)
    port = free_port()
    closed = free_port()
    config = (config_header(root, port, "event", ["dbd"]) +
              f'DBDriver pgsql\nDBDParams "host=127.0.0.1 port={closed} dbname=none user=none connect_timeout=2"\n'
              + locations(functions, "    SinchDatabase dbd\n"))
    apache = ApacheServer(root, port, "event", config)
    apache.start()
    try:
        offset = apache.log_size()
        status, result = sql(apache, "selectSql", "SELECT 1 AS one")
        calls = requests.get(apache.url("/calllog/calls"), timeout=20)
        line = apache.wait_for_log("SFN0633", offset)
    finally:
        apache.stop()

    assert status == 503
    assert result["unavailable"] is True
    assert "mod_dbd could not open a connection" in result["error"]
    assert calls.status_code == 503
    assert calls.json() == {"error": "The call log database is unavailable."}
    assert "[sinchfn:error]" in line
    assert "[function dbprobe]" in line


@pytest.mark.parametrize("lines, fragment", [
    ("    SinchDatabase mysql\n", "SinchDatabase: 'mysql' is not valid"),
    ("    SinchDatabase sqlite3\n    SinchDatabase none\n", "use one SinchDatabase per <Location>"),
    ('    SinchDatabaseStatement bad "SELECT %f"\n', "SinchDatabaseStatement bad: the SQL has the placeholder '%f'"),
    ('    SinchDatabaseStatement "bad label" "SELECT 1"\n', "'bad label' is not a valid label"),
    ('    SinchDatabaseStatement twice "SELECT 1"\n    SinchDatabaseStatement twice "SELECT 2"\n',
     "the label 'twice' is declared twice"),
    ("    SinchDatabase dbd\n", "SinchDatabase dbd for"),
], ids=["driver", "twice", "placeholder", "label", "duplicate-label", "dbd-without-mod-dbd"])
def test_invalid_directive_rejected_at_start(workdir, functions, lines, fragment):
    root = workdir / f"database-config-{abs(hash(lines))}"
    root.mkdir()
    port = free_port()
    conf = root / "httpd.conf"
    conf.write_text(config_header(root, port, "event") +
                    f'<Location /db>\n    SinchFunction "{functions["dbprobe"]}"\n{lines}</Location>\n')

    result = config_test(conf)

    assert result.returncode != 0
    assert fragment in result.stdout


def test_config_check_creates_no_database(workdir, functions):
    root = workdir / "database-dry-run"
    root.mkdir()
    function = copy_function(functions["dbprobe"], root / "dbprobe")
    (function / "function.so").write_bytes((functions["dbprobe"] / "function.so").read_bytes())
    conf = root / "httpd.conf"
    conf.write_text(config_header(root, free_port(), "event") +
                    f'<Location /db>\n    SinchFunction "{function}"\n</Location>\n')

    result = config_test(conf)

    assert result.returncode == 0, result.stdout
    assert not (function / "database").exists()
