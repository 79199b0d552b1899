"""A screenshot of forge3d.jupyter.Viewer for docs/interactive.md: the
widget's module in headless Chromium, fed by a Viewer in this process over
the test suite's page host (tests/python/test_jupyter_viewer.py), after a
synthetic drag.

Usage: python scripts/widget_shot.py [OUT_DIR]   (default docs/gallery)
Needs anywidget, playwright and Chromium (apt-get install chromium).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

import ipywidgets.comm  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from test_jupyter_viewer import Host, Wire  # noqa: E402

import forge3d  # noqa: E402
from forge3d.jupyter import Viewer  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/gallery")
    out.mkdir(parents=True, exist_ok=True)
    wires: list[Wire] = []

    def create_comm(**args):
        wires.append(Wire(args.get("data", {}), args.get("buffers", [])))
        return wires[-1]

    ipywidgets.comm.create_comm = create_comm
    r = forge3d.Renderer(560, 350)
    r.add_terrain(forge3d.datasets.jacksboro(), colormap="terrain", exaggeration=2.0)
    viewer = Viewer(r)
    (wire,) = [w for w in wires if "frame_number" in w.messages[0][0].get("state", {})]
    host = Host(viewer, wire)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 600, "height": 390})
        page.goto(host.url)
        page.wait_for_selector("img.forge3d-viewer[data-frame='1']")
        box = page.locator("img.forge3d-viewer").bounding_box()
        x, y = box["x"] + 280, box["y"] + 175
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 90, y - 20, steps=10)
        page.mouse.up()
        time.sleep(1.0)
        page.wait_for_function(
            "n => document.querySelector('img.forge3d-viewer').dataset.frame === String(n)",
            arg=viewer.frame_number,
        )
        page.locator("img.forge3d-viewer").screenshot(path=str(out / "widget.jpg"), type="jpeg", quality=85)
        print("wrote", out / "widget.jpg", viewer.camera)
        browser.close()
    host.close()


if __name__ == "__main__":
    main()
