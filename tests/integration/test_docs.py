"""Examples in the docs: every C block of README.md and docs/*.md that includes
<sinchfn.h> is a complete function that `sinchfn build` compiles, and the README's first
function answers as the README says."""

import re
import shutil

import pytest
import requests

from sinchfn_testlib import DevServer, free_port, make_shared_dir, run_sinchfn, source_dir

DOCUMENTS = [source_dir() / "README.md", *sorted((source_dir() / "docs").glob("*.md"))]
C_BLOCK = re.compile(r"^( *)```c\n(.*?)^\1```", re.S | re.M)


def complete_examples():
    """Return (id, source) for each C block that includes <sinchfn.h>, with the block's
    indentation (inside a list item) removed."""
    examples = []
    for document in DOCUMENTS:
        for number, match in enumerate(C_BLOCK.finditer(document.read_text())):
            indent = len(match.group(1))
            source = "".join(line[indent:] for line in match.group(2).splitlines(keepends=True))
            if "#include <sinchfn.h>" in source:
                examples.append((f"{document.name}-{number}", source))
    return examples


EXAMPLES = complete_examples()


@pytest.fixture
def scratch():
    path = make_shared_dir("sinchfn-docs-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_docs_have_complete_examples():
    names = [name.split("-")[0] for name, _ in EXAMPLES]

    assert "README.md" in names
    assert "deploying.md" in names


@pytest.mark.parametrize("name,source", EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_doc_example_builds(scratch, name, source):
    directory = scratch / name
    directory.mkdir()
    (directory / "function.c").write_text(source)

    result = run_sinchfn("build", directory)

    assert result.returncode == 0, f"{name}:\n{source}\n{result.stderr}"
    assert (directory / "function.so").is_file()


def test_readme_first_function_serves(scratch):
    readme_source = next(source for name, source in EXAMPLES if name.startswith("README.md"))
    created = run_sinchfn("new", "myfn", cwd=scratch)
    assert created.returncode == 0, created.stderr
    (scratch / "myfn" / "function.c").write_text(readme_source)
    server = DevServer(scratch / "myfn", free_port(), scratch / "dev.out")
    server.start()
    try:
        hello = requests.get(server.url("/hello?name=you"), timeout=5)
        ice = requests.post(server.url("/ice"), json={"event": "ice", "callid": "c1"}, timeout=5)
    finally:
        server.stop()

    assert hello.json() == {"hello": "you"}
    assert ice.json() == {"action": {"name": "hangup"}, "instructions": [{"name": "say", "text": "Welcome!"}]}
