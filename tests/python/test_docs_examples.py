"""The code blocks of docs/arrow.md, docs/meshes.md and docs/geo.md run as written."""

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


def test_there_are_four_examples():
    assert len(BLOCKS) == 4


def _run_block(doc: str, blocks: list[str], i: int, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[i], f"docs/{doc} block {i}", "exec"), {})
    for png in re.findall(r'"(\w+\.png)"', blocks[i]):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"


MESH_BLOCKS = re.findall(r"```python\n(.*?)```", DOC.with_name("meshes.md").read_text(), re.S)
GEO_BLOCKS = re.findall(r"```python\n(.*?)```", DOC.with_name("geo.md").read_text(), re.S)


@pytest.mark.parametrize("i", range(len(MESH_BLOCKS)))
def test_docs_meshes_example_runs(i, tmp_path, monkeypatch):
    _run_block("meshes.md", MESH_BLOCKS, i, tmp_path, monkeypatch)


def test_meshes_doc_has_six_examples():
    assert len(MESH_BLOCKS) == 6


@pytest.mark.parametrize("i", range(len(GEO_BLOCKS)))
def test_docs_geo_example_runs(i, tmp_path, monkeypatch):
    _run_block("geo.md", GEO_BLOCKS, i, tmp_path, monkeypatch)


def test_geo_doc_has_two_examples():
    assert len(GEO_BLOCKS) == 2


LOOK = DOC.with_name("terrain.md").read_text()
LOOK = LOOK[LOOK.index("## The look of a published map"):]
LOOK = LOOK[: LOOK.find("\n## ", 5)]
LOOK_BLOCKS = re.findall(r"```python\n(.*?)```", LOOK, re.S)


@pytest.mark.parametrize("i", range(len(LOOK_BLOCKS)))
def test_docs_terrain_look_example_runs(i, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    _run_block("terrain.md", LOOK_BLOCKS, i, tmp_path, monkeypatch)


def test_every_look_example_has_its_gallery_picture():
    gallery = DOC.parent / "gallery"
    names = [re.findall(r'"(\w+)\.png"', b)[-1] for b in LOOK_BLOCKS]
    assert len(names) == 11
    for n in names:
        assert f"](gallery/{n}.png)" in LOOK, n
        assert (gallery / f"{n}.png").read_bytes()[:4] == b"\x89PNG", n
    assert sum((gallery / f"{n}.png").stat().st_size for n in names) < 600_000
