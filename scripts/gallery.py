"""Render the gallery of docs/terrain.md: every ``python`` block of its
section "The look of a published map" that writes a PNG is run as written
(in a scratch directory) and the picture goes to docs/gallery/, reduced to
a 256-colour palette so the gallery stays small.

    python scripts/gallery.py            # all pictures
    python scripts/gallery.py shadows    # the block that writes shadows.png
"""

from __future__ import annotations

import os
import pathlib
import re
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "terrain.md"
OUT = ROOT / "docs" / "gallery"
SECTION = "## The look of a published map"


def blocks() -> dict[str, str]:
    """PNG name -> the code block that writes it."""
    text = DOC.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end > 0 else None]
    out = {}
    for code in re.findall(r"```python\n(.*?)```", section, re.S):
        names = re.findall(r'"(\w+)\.png"', code)
        if names:
            out[names[-1]] = code
    return out


def main(argv: list[str]) -> int:
    from PIL import Image

    found = blocks()
    want = argv or list(found)
    unknown = [w for w in want if w not in found]
    if unknown:
        print(f"no block writes {unknown}; there are {sorted(found)}", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    total = 0
    for name in want:
        with tempfile.TemporaryDirectory() as tmp:
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                exec(compile(found[name], f"docs/terrain.md ({name}.png)", "exec"), {})
            finally:
                os.chdir(cwd)
            with Image.open(pathlib.Path(tmp) / f"{name}.png") as im:
                if im.mode == "RGBA" and im.getextrema()[3][0] < 255:
                    # Transparent pictures keep their alpha (octree palettes hold it).
                    small = im.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
                else:
                    small = im.convert("RGB").quantize(256, dither=Image.Dither.NONE)
                dst = OUT / f"{name}.png"
                small.save(dst, optimize=True)
        size = dst.stat().st_size
        total += size
        print(f"wrote {dst.relative_to(ROOT)} ({size // 1024} KiB)")
    print(f"{total // 1024} KiB in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
