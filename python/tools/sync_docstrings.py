"""Write the type stub's docstrings into the Rust doc comments of the native
module, so ``help(forge3d.Renderer.add_terrain)`` shows the stub's contract.

    python python/tools/sync_docstrings.py          # rewrite src/py/*.rs
    python python/tools/sync_docstrings.py --check  # exit 1 if anything differs

The stub (``python/forge3d/_forge3d.pyi``) is the one source: each class,
method, property and function docstring there replaces the ``///`` lines
above the matching Rust item (``#[pyclass]`` struct, method in the class's
``#[pymethods]`` block or its macro, ``#[pyfunction]``, the exception's
``create_exception!`` text). ``tests/python/test_stubs.py`` checks that the
runtime docstrings equal the stub's.
"""

from __future__ import annotations

import argparse
import ast
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
STUB = ROOT / "python" / "forge3d" / "_forge3d.pyi"
SRC = ROOT / "src" / "py"

# Macros whose body is the #[pymethods] block of several classes.
SHARED = {
    "macro_rules! mesh_methods": ("Mesh", "Points"),
    "macro_rules! pymethods_with_exports": ("Frame", "Heightmap", "ExternalArray", "Plane"),
}


def stub_docs() -> dict[tuple[str, str | None], str | None]:
    """(class, name) -> docstring or None; (class, None) is the class's own,
    ("", name) a module function's."""
    out: dict[tuple[str, str | None], str | None] = {}
    for node in ast.parse(STUB.read_text()).body:
        if isinstance(node, ast.ClassDef):
            if (d := ast.get_docstring(node)) is not None:
                out[(node.name, None)] = d
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef) and out.get((node.name, sub.name)) is None:
                    out[(node.name, sub.name)] = ast.get_docstring(sub)
        elif isinstance(node, ast.FunctionDef) and (d := ast.get_docstring(node)) is not None:
            out[("", node.name)] = d
    return out


def _skip_literal(text: str, i: int) -> int:
    """Index after the string/char literal or comment starting at i, else i."""
    if text.startswith("//", i):
        return text.index("\n", i)
    if text.startswith("/*", i):
        return text.index("*/", i) + 2
    if text[i] == '"':
        j = i + 1
        while text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        return j + 1
    m = re.match(r"r(#*)\"", text[i:])
    if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
        end = '"' + m.group(1)
        return text.index(end, i + len(m.group(0))) + len(end)
    m = re.match(r"'(\\.|[^\\'])'", text[i:])
    if m:
        return i + len(m.group(0))
    return i


def block_end(text: str, open_brace: int) -> int:
    """Index of the brace closing the one at open_brace."""
    depth, i = 0, open_brace
    while i < len(text):
        j = _skip_literal(text, i)
        if j != i:
            i = j
            continue
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced braces")


def regions(path: pathlib.Path, text: str, classes: dict[str, str]):
    """(class names, start, end) of each #[pymethods] body in text."""
    out = []
    for marker, names in SHARED.items():
        k = text.find(marker)
        if k >= 0:
            b = text.index("{", k)
            out.append((names, b, block_end(text, b)))
    for m in re.finditer(r"(?m)^(?:#\[pymethods\]\n)?(?:impl (\w+) \{|mesh_methods!\((\w+), \{)", text):
        rust = m.group(1) or m.group(2)
        if rust in classes and (m.group(0).startswith("#[pymethods]") or m.group(2)):
            b = m.end() - 1
            out.append(((classes[rust],), b, block_end(text, b)))
    for m in re.finditer(r"pymethods_with_exports! \{\s*impl (\w+) \{", text):
        b = m.end() - 1
        out.append(((classes[m.group(1)],), b, block_end(text, b)))
    return out


def doc_span(text: str, item: int) -> tuple[int, int, str]:
    """(start, end, indent) of the /// lines above the attributes above the
    line at item (start == end where there are none)."""
    line_start = text.rindex("\n", 0, item) + 1
    indent = re.match(r"[ \t]*", text[line_start:]).group(0)
    lines = text[:line_start].split("\n")[:-1]
    # Walk up over the attribute lines (each a single-line #[...]).
    k = len(lines)
    while k > 0 and lines[k - 1].strip().startswith("#["):
        k -= 1
    attrs_start = sum(len(x) + 1 for x in lines[:k])
    d = k
    while d > 0 and lines[d - 1].strip().startswith("///"):
        d -= 1
    start = sum(len(x) + 1 for x in lines[:d])
    return start, attrs_start, indent


def render(doc: str, indent: str) -> str:
    return "".join(f"{indent}///{' ' + line if line else ''}\n" for line in doc.split("\n"))


def edits_for(path: pathlib.Path, text: str, docs, classes) -> list[tuple[int, int, str, str]]:
    """(start, end, new text, what) replacements for this file."""
    out = []
    # Classes.
    for m in re.finditer(r'#\[pyclass\(name = "(\w+)"', text):
        key = (m.group(1), None)
        if docs.get(key) is not None:
            s, e, ind = doc_span(text, m.start())
            out.append((s, e, render(docs[key], ind), m.group(1)))
    # Methods.
    for names, b, end in regions(path, text, classes):
        for m in re.finditer(r"(?m)^[ \t]*(?:pub(?:\([\w:]+\))? )?(?:unsafe )?fn (\w+)", text[b:end]):
            fn = m.group(1)
            start = b + m.start()
            s, e, ind = doc_span(text, start)
            attrs = text[e:start]
            if "#[new]" in attrs:
                continue  # the class docstring documents the constructor
            if "#[setter" in attrs:
                continue  # a property's docstring is its getter's
            g = re.search(r"#\[getter\((\w+)\)\]", attrs)
            py = g.group(1) if g else fn
            if not g and "#[getter]" in attrs and fn.startswith("get_"):
                py = fn[4:]  # as pyo3 names it
            found = {docs[(c, py)] for c in names if (c, py) in docs}
            if found == {None} or not found:
                continue
            if len(found) > 1:
                raise SystemExit(
                    f"{path.name}: {py} is shared by {', '.join(names)} (one Rust item), "
                    "so their stub docstrings must be equal"
                )
            out.append((s, e, render(found.pop(), ind), f"{'/'.join(names)}.{py}"))
    # Functions.
    for m in re.finditer(r"#\[pyfunction\]", text):
        f = re.compile(r"fn (\w+)").search(text, m.end())
        key = ("", f.group(1))
        if docs.get(key) is not None:
            s, e, ind = doc_span(text, m.start())
            out.append((s, e, render(docs[key], ind), f.group(1)))
    # The exception.
    for m in re.finditer(r"create_exception!\(\s*\w+,\s*(\w+),\s*\w+,\s*", text):
        key = (m.group(1), None)
        if docs.get(key) is not None:
            lit_end = _skip_literal(text, m.end())
            new = '"' + docs[key].replace("\\", "\\\\").replace('"', '\\"') + '"'
            out.append((m.end(), lit_end, new, m.group(1)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="report differences, change nothing")
    args = ap.parse_args()
    docs = stub_docs()
    files = {p: p.read_text() for p in sorted(SRC.glob("*.rs"))}
    classes = {}
    for text in files.values():
        for m in re.finditer(r'#\[pyclass\(name = "(\w+)"[^\]]*\]\s*pub struct (\w+)', text):
            classes[m.group(2)] = m.group(1)
    changed = []
    for path, text in files.items():
        new = text
        for s, e, repl, what in sorted(edits_for(path, text, docs, classes), reverse=True):
            if new[s:e] != repl:
                changed.append(f"{path.relative_to(ROOT)}: {what}")
                new = new[:s] + repl + new[e:]
        if new != text and not args.check:
            path.write_text(new)
    for c in changed:
        print(("differs: " if args.check else "updated: ") + c)
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
