"""The type stubs list exactly what the native module exposes."""

import ast
import pathlib

import forge3d._forge3d as native

STUB = pathlib.Path(native.__file__).with_name("_forge3d.pyi")
if not STUB.exists():  # editable installs keep the stub in the source tree
    STUB = pathlib.Path(__file__).resolve().parents[2] / "python" / "forge3d" / "_forge3d.pyi"


def stub_names():
    tree = ast.parse(STUB.read_text())
    top, classes = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            top.add(node.name)
            classes[node.name] = {
                n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign)) and hasattr(n, "name")
            }
        elif isinstance(node, ast.FunctionDef):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            top.add(node.target.id)
    return top, classes


def test_every_stubbed_name_exists_at_runtime_and_vice_versa():
    top, classes = stub_names()
    runtime = {n for n in dir(native) if not n.startswith("__") or n == "__version__"}
    assert top == runtime, (top ^ runtime)
    for cls, members in classes.items():
        obj = getattr(native, cls)
        for m in members - {"__init__", "__buffer__"}:
            assert hasattr(obj, m), f"{cls}.{m} is stubbed but missing"
        public = {n for n in vars(obj) if not n.startswith("_")}
        assert public <= members, f"{cls}: not stubbed: {public - members}"


def _documented():
    """(qualified name, stub docstring, runtime object) for every stub item."""
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(native, node.name)
            yield node.name, ast.get_docstring(node), cls
            seen = set()
            for sub in node.body:
                overload = any(getattr(d, "id", None) == "overload" for d in sub.decorator_list) if isinstance(sub, ast.FunctionDef) else False
                if isinstance(sub, ast.FunctionDef) and not overload and sub.name not in seen:
                    seen.add(sub.name)
                    if sub.name in ("__init__", "__buffer__"):
                        continue  # the class docstring; CPython's own slot
                    yield f"{node.name}.{sub.name}", ast.get_docstring(sub), getattr(cls, sub.name)
        elif isinstance(node, ast.FunctionDef):
            yield node.name, ast.get_docstring(node), getattr(native, node.name)


def test_runtime_docstrings_are_the_stubs():
    """help() shows the stub's contract: python/tools/sync_docstrings.py
    writes the stub's docstrings into the Rust doc comments."""
    import inspect

    differ, undocumented = [], []
    for name, doc, obj in _documented():
        public = not name.split(".")[-1].startswith("_")
        if doc is None:
            if public:
                undocumented.append(name)
            continue
        if inspect.getdoc(obj) != doc:
            differ.append(name)
    assert not undocumented, f"public names without a stub docstring: {undocumented}"
    assert not differ, (
        f"runtime docstrings differ from the stub for {differ}; "
        "run python python/tools/sync_docstrings.py and rebuild"
    )


def test_sync_tool_finds_nothing_to_change():
    import subprocess
    import sys

    tool = pathlib.Path(__file__).resolve().parents[2] / "python" / "tools" / "sync_docstrings.py"
    out = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_help_shows_the_full_contract():
    import pydoc

    text = pydoc.render_doc(native.Renderer.add_terrain, renderer=pydoc.plaintext)
    assert "See the Python docstring" not in text
    for word in ("heights", "spacing", "exaggeration", "nodata", "copy"):
        assert word in text
