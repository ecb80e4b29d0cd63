"""Fixtures of the cluster tests: a Redis server and a PostgreSQL server on free loopback
ports, and three Apache nodes that serve the same functions with `SinchCache redis:...`,
`SinchDatabase dbd` and `SinchStorage dbd`. A fourth Apache spreads requests over the
nodes with mod_proxy_balancer.

Every node has its own copy of each function directory, as separate machines would, so
local files (SQLite databases, storage directories) are never shared by accident. The
nodes read one env file with the secrets, the same sinch.json, and differ only in their
port and their NODE_NAME variable.

Locations of every node:
  /example   handlers/example (the rate-limited /example/limited)
  /calllog   handlers/calllog on PostgreSQL
  /shared    tests/cluster/functions/shared: counter, records, node identity
"""

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from postgres import PostgresServer, missing_reason  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from sinchfn_testlib import (APACHE_MODULES, ApacheServer, build_function, config_header, copy_function,  # noqa: E402
                             free_port, make_shared_dir, module_path, source_dir)

NODE_NAMES = ("node1", "node2", "node3")
FUNCTION_SOURCES = {
    "example": source_dir() / "handlers" / "example",
    "calllog": source_dir() / "handlers" / "calllog",
    "shared": source_dir() / "tests" / "cluster" / "functions" / "shared",
}
BALANCER_MODULES = ("proxy", "proxy_http", "proxy_balancer", "lbmethod_byrequests", "slotmem_shm")
NODE_MODULES = ("dbd", "remoteip")

# A fake secret of the shared env file. The shared function compares it with X-Token.
API_TOKEN = "cluster-token-3f9a61"

# Each node runs 2 processes of 8 threads, and mod_dbd keeps up to 8 PostgreSQL
# connections per process: 3 nodes use at most 48 of PostgreSQL's default 100.
NODE_MPM_LINES = ("StartServers 2\nServerLimit 2\nThreadsPerChild 8\nMinSpareThreads 8\nMaxSpareThreads 16\n"
                  "MaxRequestWorkers 16\n")
DBD_POOL_LINES = "DBDMin 0\nDBDKeep 4\nDBDMax 8\n"
BALANCER_MPM_LINES = ("StartServers 2\nServerLimit 2\nThreadsPerChild 32\nMinSpareThreads 32\n"
                      "MaxSpareThreads 64\nMaxRequestWorkers 64\n")


@dataclass
class Cluster:
    nodes: list
    balancer: ApacheServer
    redis: RedisServer
    postgres: PostgresServer

    def node(self, name: str) -> ApacheServer:
        return self.nodes[NODE_NAMES.index(name)]


@pytest.fixture(scope="session")
def workdir():
    """A scratch directory the Apache `User` can read, removed after the session."""
    if not module_path().is_file():
        pytest.exit(f"mod_sinchfn.so not found at {module_path()}; run make or set SINCHFN_MODULE", returncode=1)
    path = make_shared_dir("sinchfn-cluster-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def built_functions(workdir):
    """The cluster's functions, each built once, as a dict of name -> directory."""
    parent = workdir / "build"
    parent.mkdir()
    parent.chmod(0o755)
    built = {}
    for name, source in FUNCTION_SOURCES.items():
        built[name] = copy_function(source, parent / name)
        build_function(built[name])
    return built


@pytest.fixture(scope="session")
def redis(workdir):
    root = workdir / "redis"
    root.mkdir()
    server = RedisServer(root)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres(workdir):
    reason = missing_reason()
    if reason:
        pytest.skip(f"cluster tests skipped: {reason}")
    server = PostgresServer(workdir / "postgres")
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


def missing_modules():
    """Return the Apache modules of the cluster that are not installed."""
    return [name for name in (*BALANCER_MODULES, *NODE_MODULES)
            if not (APACHE_MODULES / f"mod_{name}.so").is_file()]


def deploy_functions(built, destination: Path) -> dict:
    """Copy the built functions to one node's directory, function.so included, the way a
    deploy copies them to each machine."""
    destination.mkdir()
    destination.chmod(0o755)
    deployed = {}
    for name, directory in built.items():
        deployed[name] = copy_function(directory, destination / name)
        shutil.copy2(directory / "function.so", deployed[name] / "function.so")
    return deployed


def node_config(root, port, name, functions, env_file, redis, postgres) -> str:
    """Return the httpd.conf of one node. Only Listen, the paths and NODE_NAME differ
    between nodes."""
    return (config_header(root, port, "event", NODE_MODULES) + NODE_MPM_LINES +
            f"SinchCache redis:127.0.0.1:{redis.port}\n"
            "DBDriver pgsql\n"
            f'DBDParams "{postgres.dbd_params()}"\n' + DBD_POOL_LINES +
            "# The balancer connects from 127.0.0.1 and adds X-Forwarded-For, so the client\n"
            "# address that functions see is the one the balancer received.\n"
            "RemoteIPHeader X-Forwarded-For\n"
            "RemoteIPInternalProxy 127.0.0.1\n"
            f'<Location /example>\n    SinchFunction "{functions["example"]}"\n</Location>\n'
            f'<Location /calllog>\n    SinchFunction "{functions["calllog"]}"\n'
            "    SinchWebhookProtection never\n    SinchDatabase dbd\n</Location>\n"
            f'<Location /shared>\n    SinchFunction "{functions["shared"]}"\n'
            "    SinchDatabase dbd\n    SinchStorage dbd\n"
            f'    SinchEnvFile "{env_file}"\n    SinchVariable NODE_NAME {name}\n</Location>\n')


def balancer_config(root, port, node_ports) -> str:
    """Return the httpd.conf of the balancer in front of the nodes.

    disablereuse=On opens a new connection to a node for each request. With pooled
    connections, a node's event MPM closes idle keep-alive connections (at its
    KeepAliveTimeout, or early when it has more connections than threads), and a request
    that the balancer sends on a connection as it closes fails without a response.
    """
    members = "".join(f'    BalancerMember "http://127.0.0.1:{node_port}" route={name} retry=5 '
                      "connectiontimeout=2 timeout=30 disablereuse=On\n"
                      for name, node_port in zip(NODE_NAMES, node_ports))
    return (config_header(root, port, "event", BALANCER_MODULES, log_level="warn proxy:info",
                          load_sinchfn=False) + BALANCER_MPM_LINES +
            '<Proxy "balancer://functions">\n' + members +
            f"    ProxySet lbmethod=byrequests maxattempts={len(node_ports) - 1} failonstatus=503\n"
            "</Proxy>\n"
            'ProxyPass "/" "balancer://functions/"\n'
            'ProxyPassReverse "/" "balancer://functions/"\n')


@pytest.fixture(scope="session")
def cluster(workdir, built_functions, redis, postgres):
    """Three nodes and the balancer, started once for the session."""
    missing = missing_modules()
    if missing:
        pytest.skip(f"cluster tests skipped: the Apache modules {', '.join(missing)} are missing; install apache2")
    env_file = workdir / "shared.env"
    env_file.write_text(f"# The secrets of every node\nAPI_TOKEN={API_TOKEN}\n")
    env_file.chmod(0o644)

    started = []
    try:
        ports = [free_port() for _ in NODE_NAMES]
        for name, port in zip(NODE_NAMES, ports):
            root = workdir / name
            root.mkdir()
            root.chmod(0o755)
            functions = deploy_functions(built_functions, root / "functions")
            node = ApacheServer(root, port, "event", node_config(root, port, name, functions, env_file, redis,
                                                                 postgres))
            node.name = name
            node.start()
            started.append(node)
        root = workdir / "balancer"
        root.mkdir()
        root.chmod(0o755)
        balancer_port = free_port()
        balancer = ApacheServer(root, balancer_port, "event", balancer_config(root, balancer_port, ports))
        balancer.start()
        started.append(balancer)
        yield Cluster(started[:len(NODE_NAMES)], balancer, redis, postgres)
    finally:
        for server in reversed(started):
            server.stop()
