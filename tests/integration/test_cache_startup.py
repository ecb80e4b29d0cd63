"""Start-up checks of the cache directives: invalid SinchCache values are rejected by
`apache2 -t`, and a cache that cannot work stops the server with the fix named."""

import pytest
import requests

from sinchfn_testlib import ApacheServer, config_header, config_test, free_port


def write_config(tmp_path, functions, body, modules=("socache_shmcb",)):
    conf = tmp_path / "httpd.conf"
    conf.write_text(config_header(tmp_path, 8, "event", list(modules)) + body +
                    f'<Location />\n    SinchFunction "{functions["state"]}"\n</Location>\n')
    return conf


@pytest.mark.parametrize("line, fragment", [
    ("SinchCache memcache:127.0.0.1:11211", "memcache is not supported yet"),
    ("SinchCache shmcb:1000", "the shmcb size '1000' is not a number of bytes from 65536"),
    ("SinchCache shmcb:lots", "the shmcb size 'lots' is not a number"),
    ("SinchCache disk", "'disk' is not valid; use shmcb, shmcb:SIZE or redis:HOST:PORT"),
    ("SinchCacheMaxValueSize 0", "SinchCacheMaxValueSize: '0' is not a number of bytes"),
    ("SinchCache redis:127.0.0.1", "'redis:127.0.0.1' is not valid; use redis:HOST:PORT"),
    ("SinchCache redis:127.0.0.1:70000", "the Redis port in 'redis:127.0.0.1:70000' is not a number"),
    ("SinchCache redis::6379", "'redis::6379' is not valid; use redis:HOST:PORT"),
], ids=["memcache", "shmcb-too-small", "shmcb-not-number", "unknown", "max-value-zero", "redis-no-port",
        "redis-port-range", "redis-no-host"])
def test_invalid_cache_directive_rejected(tmp_path, functions, line, fragment):
    conf = write_config(tmp_path, functions, line + "\n")

    result = config_test(conf)

    assert result.returncode != 0, result.stdout
    assert fragment in result.stdout
    assert str(conf) in result.stdout


@pytest.mark.parametrize("block, fragment", [
    ("<Location /x>\n    SinchCache shmcb\n</Location>\n", "SinchCache not allowed in <Location> context"),
    ("<VirtualHost 127.0.0.1:8>\n    SinchCache shmcb\n</VirtualHost>\n",
     "SinchCache cannot occur within <VirtualHost> section"),
], ids=["location", "virtualhost"])
def test_cache_outside_server_level_rejected(tmp_path, functions, block, fragment):
    conf = write_config(tmp_path, functions, block)

    result = config_test(conf)

    assert result.returncode != 0, result.stdout
    assert fragment in result.stdout


def start_failure(tmp_path, functions, body, modules=("socache_shmcb",)):
    """Start Apache with the body and return the text of the failed start."""
    port = free_port()
    conf_text = (config_header(tmp_path, port, "event", list(modules)) + body +
                 f'<Location />\n    SinchFunction "{functions["state"]}"\n</Location>\n')
    server = ApacheServer(tmp_path, port, "event", conf_text)
    with pytest.raises(RuntimeError) as failure:
        server.start()
    server.stop()
    return str(failure.value)


def test_explicit_shmcb_without_module_stops_start(workdir, functions):
    root = workdir / "cache-no-module"
    root.mkdir()
    root.chmod(0o755)

    text = start_failure(root, functions, "SinchCache shmcb\n", modules=())

    assert "SFN0612" in text
    assert "LoadModule socache_shmcb_module" in text


def test_shmcb_smaller_than_max_value_stops_start(workdir, functions):
    root = workdir / "cache-too-small"
    root.mkdir()
    root.chmod(0o755)

    text = start_failure(root, functions, "SinchCache shmcb:65536\nSinchCacheMaxValueSize 65536\n")

    assert "SFN0611" in text
    assert "raise the shmcb size" in text


def test_default_cache_without_module_warns(server):
    # The shared server loads no mod_socache_shmcb and sets no SinchCache.
    response = requests.get(server.url("/limited"), timeout=5)

    assert "SFN0610" in server.log_text()
    assert response.status_code == 500
    assert response.json()["error"] == "internal error"
