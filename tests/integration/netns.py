"""A client host with its own address: a network namespace joined to this host by a veth
pair, made with iproute2 for the test run and removed after it.

Requests from the namespace reach Apache from an address that is not loopback, so
SinchPrivate can be tested over real connections. Creating namespaces needs root and
iproute2; create() returns None with the reason when that fails.
"""

import json
import os
import subprocess

IP = "/usr/sbin/ip"
COMMAND_TIMEOUT = 10
# The private networks tried for the veth pair, in /30 steps; the first one that no
# interface of this host uses is taken.
SUBNET_PREFIX = "10.213"

CLIENT_SCRIPT = """
import http.client, json, sys
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
connection = http.client.HTTPConnection(host, port, timeout=5)
connection.request("GET", path)
response = connection.getresponse()
print(json.dumps({"status": response.status, "body": response.read().decode()}))
"""


def _ip(*args, check=True):
    return subprocess.run([IP, *args], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=check)


class NetworkNamespace:
    """One namespace with a veth pair: host_ip on this host, client_ip inside."""

    def __init__(self, name, host_link, host_ip, client_ip):
        self.name = name
        self.host_link = host_link
        self.host_ip = host_ip
        self.client_ip = client_ip

    @classmethod
    def create(cls):
        """Return (namespace, None), or (None, reason) when namespaces do not work here."""
        if os.geteuid() != 0 or not os.path.exists(IP):
            return None, "network namespaces need root and iproute2"
        suffix = os.getpid() % 100000
        name, host_link, client_link = f"sinchfn{suffix}", f"sfnh{suffix}", f"sfnc{suffix}"
        used = _ip("-4", "addr", "show", check=False).stdout
        third = next((n for n in range(os.getpid() % 200, 256) if f"{SUBNET_PREFIX}.{n}." not in used), None)
        if third is None:
            return None, f"no free /30 network under {SUBNET_PREFIX}.0.0/16"
        host_ip, client_ip = f"{SUBNET_PREFIX}.{third}.1", f"{SUBNET_PREFIX}.{third}.2"
        namespace = cls(name, host_link, host_ip, client_ip)
        steps = [
            ("netns", "add", name),
            ("link", "add", host_link, "type", "veth", "peer", "name", client_link),
            ("link", "set", client_link, "netns", name),
            ("addr", "add", f"{host_ip}/30", "dev", host_link),
            ("link", "set", host_link, "up"),
            ("-n", name, "addr", "add", f"{client_ip}/30", "dev", client_link),
            ("-n", name, "link", "set", client_link, "up"),
            ("-n", name, "link", "set", "lo", "up"),
        ]
        for step in steps:
            result = _ip(*step, check=False)
            if result.returncode != 0:
                namespace.remove()
                return None, f"ip {' '.join(step)} failed: {result.stderr.strip()}"
        return namespace, None

    def get(self, port, path):
        """GET path from inside the namespace to host_ip:port; return (status, body)."""
        result = subprocess.run([IP, "netns", "exec", self.name, "/usr/bin/python3", "-c", CLIENT_SCRIPT,
                                 self.host_ip, str(port), path],
                                capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
        if result.returncode != 0:
            raise RuntimeError(f"the request from namespace {self.name} failed:\n{result.stderr}")
        answer = json.loads(result.stdout)
        return answer["status"], answer["body"]

    def remove(self):
        """Delete the namespace; that deletes the veth pair with it."""
        _ip("netns", "del", self.name, check=False)
        _ip("link", "del", self.host_link, check=False)
