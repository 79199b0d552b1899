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
