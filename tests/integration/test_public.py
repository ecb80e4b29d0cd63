"""Static files of a function's public/ directory: media types, the Location root's
index.html, precedence of exports, methods, validators, and every way a request could
reach a file outside public/ or one that is not a regular file."""

import os
import pwd
import random

import pytest
import requests

from sinchfn_testlib import exchange, parse_response

LARGE_SIZE = 1024 * 1024
INDEX_HTML = b"<!doctype html><title>public root</title>\n"
DOCS_INDEX_HTML = b"<!doctype html><title>docs</title>\n"
# Text of the function sources, which must never be sent as a file.
SOURCE_MARKER = b"SINCHFN_EXPORTS"

FILES = {
    "index.html": INDEX_HTML,
    "style.css": b"body { color: #123456; }\n",
    "app.js": b"console.log('public');\n",
    "data.json": b'{"public": true}\n',
    "icon.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "notes.txt": b"plain notes\n",
    "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
    "photo.JPG": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "favicon.ico": b"\x00\x00\x01\x00\x01\x00",
    "font.woff2": b"wOF2\x00\x01\x00\x00",
    "module.wasm": b"\x00asm\x01\x00\x00\x00",
    "blob.xyz": b"\x00\x01\x02 unknown extension",
    "empty.txt": b"",
    "greeting": b"the file named like the greeting export\n",
    "health": b"the file named health\n",
    "ice": b"the file named ice\n",
    "docs/index.html": DOCS_INDEX_HTML,
    "docs/guide.txt": b"guide\n",
    ".env": b"SECRET=public-dotfile-3f9a\n",
    ".hidden/secret.txt": b"hidden directory\n",
}

CONTENT_TYPES = [
    ("index.html", "text/html; charset=utf-8"),
    ("style.css", "text/css; charset=utf-8"),
    ("app.js", "text/javascript; charset=utf-8"),
    ("data.json", "application/json; charset=utf-8"),
    ("icon.svg", "image/svg+xml; charset=utf-8"),
    ("notes.txt", "text/plain; charset=utf-8"),
    ("logo.png", "image/png"),
    ("photo.JPG", "image/jpeg"),
    ("favicon.ico", "image/vnd.microsoft.icon"),
    ("font.woff2", "font/woff2"),
    ("module.wasm", "application/wasm"),
    ("blob.xyz", "application/octet-stream"),
    ("docs/guide.txt", "text/plain; charset=utf-8"),
]


@pytest.fixture(scope="session")
def public_dir(functions):
    """Writes the public/ tree of the public function, with the symbolic links, FIFO,
    empty directory and 1 MiB file that git cannot hold, and an index.html for the
    probe function, which exports default."""
    public = functions["public"] / "public"
    for name, data in FILES.items():
        path = public / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (public / "large.bin").write_bytes(random.Random(20240601).randbytes(LARGE_SIZE))
    (public / "empty").mkdir()
    os.symlink("../function.c", public / "link-outside.c")
    os.symlink("notes.txt", public / "link-inside.txt")
    os.symlink("..", public / "linkdir")
    os.symlink("../docs", public / "docs-link")
    os.mkfifo(public / "pipe")
    (public / "unreadable.txt").write_bytes(b"mode 0600\n")
    (public / "unreadable.txt").chmod(0o600)
    for directory in [public, *[path for path in public.rglob("*") if path.is_dir() and not path.is_symlink()]]:
        directory.chmod(0o755)

    probe_public = functions["probe"] / "public"
    probe_public.mkdir()
    probe_public.chmod(0o755)
    (probe_public / "index.html").write_bytes(b"<!doctype html><title>probe</title>\n")
    return public


def get_raw(server, path: str, method: str = "GET", headers: str = ""):
    """Send one request with the path exactly as given and return the parsed response."""
    request = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
    return parse_response(exchange(server.port, request.encode()))


def assert_json_error(response, status):
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["requestId"] == response.headers["X-Request-Id"]


@pytest.mark.parametrize("name, content_type", CONTENT_TYPES)
def test_file_content_type(server, public_dir, name, content_type):
    response = requests.get(server.url(f"/public/{name}"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.content == FILES[name]
    assert response.headers["Content-Length"] == str(len(FILES[name]))
    assert response.headers["X-Request-Id"]
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]


def test_empty_file(server, public_dir):
    response = requests.get(server.url("/public/empty.txt"), timeout=5)

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"


def test_query_string_ignored(server, public_dir):
    response = requests.get(server.url("/public/notes.txt?v=3"), timeout=5)

    assert response.status_code == 200
    assert response.content == FILES["notes.txt"]


def test_root_serves_index_html(server, public_dir):
    response = requests.get(server.url("/public/"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.content == INDEX_HTML


def test_root_without_slash_redirects(server, public_dir):
    response = requests.get(server.url("/public?lang=en"), allow_redirects=False, timeout=5)

    assert response.status_code == 301
    assert response.headers["Location"] == "/public/?lang=en"
    assert response.headers["X-Request-Id"]


def test_default_export_wins_over_index(server, public_dir):
    response = requests.get(server.url("/probe/"), timeout=5)

    assert response.status_code == 200
    assert response.json() == {"export": "default", "route": "default"}


def test_export_wins_over_file(server, public_dir):
    response = requests.get(server.url("/public/greeting"), timeout=5)

    assert response.status_code == 200
    assert response.json() == {"export": "greeting"}


def test_health_never_from_public(server, public_dir):
    response = requests.get(server.url("/public/health"), timeout=5)

    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}


def test_voice_route_never_from_public(server, public_dir):
    get = requests.get(server.url("/public/ice"), timeout=5)
    post = requests.post(server.url("/public/ice"), json={"event": "ice"}, timeout=5)

    assert_json_error(get, 405)
    assert get.headers["Allow"] == "POST"
    assert_json_error(post, 404)
    assert FILES["ice"] not in post.content


def test_head_sends_headers_only(server, public_dir):
    response = requests.head(server.url("/public/large.bin"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(LARGE_SIZE)
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Request-Id"]
    assert response.content == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_405(server, public_dir, method):
    response = requests.request(method, server.url("/public/notes.txt"), data=b"x=1", timeout=5)

    assert_json_error(response, 405)
    assert response.headers["Allow"] == "GET, HEAD"
    assert response.json()["route"] == "notes.txt"


def test_post_to_directory_index_405(server, public_dir):
    response = requests.post(server.url("/public/"), timeout=5)

    assert_json_error(response, 405)
    assert response.headers["Allow"] == "GET, HEAD"


def test_post_to_missing_file_404(server, public_dir):
    response = requests.post(server.url("/public/nosuch.txt"), timeout=5)

    assert_json_error(response, 404)


@pytest.mark.parametrize("path, statuses", [
    ("/public/../function.c", {404}),
    ("/public/docs/../../function.c", {404}),
    ("/public/%2e%2e/function.c", {400}),
    ("/public/%2E%2E/function.c", {400}),
    ("/public/docs/%2e%2e/%2e%2e/function.c", {400}),
    ("/public/..%2Ffunction.c", {404}),
    ("/public/%2e%2e%2Ffunction.c", {404}),
    ("/public/docs/..%2F..%2Ffunction.c", {404}),
    ("/public/docs%2Fguide.txt", {404}),
    ("/public/docs%2fguide.txt", {404}),
    ("/public/docs\\guide.txt", {404}),
    ("/public/docs%5Cguide.txt", {404}),
])
def test_traversal_rejected(server, public_dir, path, statuses):
    response = get_raw(server, path)

    assert response.status in statuses
    assert response.header("content-type") == "application/json"
    assert SOURCE_MARKER not in response.body
    assert FILES["docs/guide.txt"] != response.body
    assert response.header("x-request-id")


def test_dot_segment_inside_public_allowed(server, public_dir):
    response = get_raw(server, "/public/docs/../notes.txt")

    assert response.status == 200
    assert response.body == FILES["notes.txt"]


@pytest.mark.parametrize("path", ["/public/link-outside.c", "/public/link-inside.txt", "/public/linkdir/function.c",
                                  "/public/docs-link/guide.txt", "/public/docs-link/"])
def test_symbolic_link_not_served(server, public_dir, path):
    response = requests.get(server.url(path), timeout=5)

    assert_json_error(response, 404)
    assert SOURCE_MARKER not in response.content


def test_fifo_not_served(server, public_dir):
    response = requests.get(server.url("/public/pipe"), timeout=5)

    assert_json_error(response, 404)


@pytest.mark.parametrize("path", ["/public/.env", "/public/%2eenv", "/public/.hidden/secret.txt",
                                  "/public/.hidden/"])
def test_dotfile_not_served(server, public_dir, path):
    response = get_raw(server, path)

    assert response.status == 404
    assert b"public-dotfile" not in response.body
    assert b"hidden directory" not in response.body


def test_directory_without_index_404(server, public_dir):
    for path in ("/public/empty", "/public/empty/"):
        response = requests.get(server.url(path), allow_redirects=False, timeout=5)

        assert_json_error(response, 404)


def test_directory_serves_its_index(server, public_dir):
    response = requests.get(server.url("/public/docs/"), timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.content == DOCS_INDEX_HTML


def test_directory_without_slash_redirects(server, public_dir):
    response = requests.get(server.url("/public/docs"), allow_redirects=False, timeout=5)

    assert response.status_code == 301
    assert response.headers["Location"] == "/public/docs/"


def test_directory_redirect_stays_on_site(server, public_dir):
    response = get_raw(server, "//public/docs")

    assert response.status == 301
    assert response.header("location") == "/public/docs/"


@pytest.mark.skipif(os.geteuid() != 0 or not any(user.pw_name == "www-data" for user in pwd.getpwall()),
                    reason="needs root, so that Apache's User differs from the file's owner")
def test_unreadable_file_403(server, public_dir):
    response = requests.get(server.url("/public/unreadable.txt"), timeout=5)

    assert_json_error(response, 403)
    assert b"mode 0600" not in response.content


def test_large_file_byte_exact(server, public_dir):
    response = requests.get(server.url("/public/large.bin"), timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(LARGE_SIZE)
    assert response.content == (public_dir / "large.bin").read_bytes()


def test_range_request(server, public_dir):
    response = requests.get(server.url("/public/large.bin"), headers={"Range": "bytes=100-109"}, timeout=5)

    assert response.status_code == 206
    assert response.content == (public_dir / "large.bin").read_bytes()[100:110]


def test_if_none_match_304(server, public_dir):
    first = requests.get(server.url("/public/style.css"), timeout=5)
    second = requests.get(server.url("/public/style.css"), headers={"If-None-Match": first.headers["ETag"]},
                          timeout=5)

    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["X-Request-Id"]


def test_if_modified_since_304(server, public_dir):
    first = requests.get(server.url("/public/style.css"), timeout=5)
    second = requests.get(server.url("/public/style.css"),
                          headers={"If-Modified-Since": first.headers["Last-Modified"]}, timeout=5)

    assert second.status_code == 304


def test_other_etag_200(server, public_dir):
    response = requests.get(server.url("/public/style.css"), headers={"If-None-Match": '"other"'}, timeout=5)

    assert response.status_code == 200
    assert response.content == FILES["style.css"]


def test_if_match_mismatch_412(server, public_dir):
    response = requests.get(server.url("/public/style.css"), headers={"If-Match": '"other"'}, timeout=5)

    assert_json_error(response, 412)


def test_missing_file_names_route(server, public_dir):
    response = requests.get(server.url("/public/nosuch.css"), timeout=5)

    assert_json_error(response, 404)
    assert response.json()["route"] == "nosuch.css"
