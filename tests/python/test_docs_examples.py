"""The code blocks of docs/arrow.md run as written."""

import pathlib
import re

import pytest

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "arrow.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_docs_arrow_example_runs(i, tmp_path, monkeypatch):
    if "duckdb" in BLOCKS[i]:
        pytest.importorskip("duckdb")
    monkeypatch.chdir(tmp_path)
    exec(compile(BLOCKS[i], f"docs/arrow.md block {i}", "exec"), {})
    for png in re.findall(r'"(\w+\.png)"', BLOCKS[i]):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"


def test_there_are_three_examples():
    assert len(BLOCKS) == 3
