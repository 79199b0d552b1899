"""Screenshots of the window for docs/interactive.md: a real window on a
virtual X server (Xvfb), turned with xdotool's synthetic drag, read back
from the X server.

Usage: python scripts/window_shot.py [OUT_DIR]   (default docs/gallery)
Needs Xvfb and xdotool (apt-get install xvfb xdotool).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import ImageGrab

CHILD = """
import forge3d
r = forge3d.Renderer(640, 400)
r.add_terrain(forge3d.datasets.jacksboro(), colormap="terrain", exaggeration=2.0)
r.set_shadows(True)
forge3d.show(r, title="forge3d window")
"""


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/gallery")
    out.mkdir(parents=True, exist_ok=True)
    display = ":57"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "800x600x24", "-nolisten", "tcp"])
    env = dict(os.environ, DISPLAY=display)

    def xdo(*args: str) -> str:
        return subprocess.run(
            ["xdotool", *args], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        time.sleep(1.0)
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "child.py"
            script.write_text(CHILD)
            child = subprocess.Popen([sys.executable, str(script)], env=env)
            wid = xdo("search", "--sync", "--name", "^forge3d window$").splitlines()[0]
            time.sleep(2.0)

            def grab(name: str) -> None:
                g = dict(
                    line.split("=") for line in xdo("getwindowgeometry", "--shell", wid).split()
                )
                x, y, w, h = (int(g[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
                im = ImageGrab.grab(bbox=(x, y, x + w, y + h), xdisplay=display)
                im.quantize(256).save(out / name, optimize=True)  # small for the docs
                print("wrote", out / name)

            grab("window.png")
            xdo("mousemove", "--window", wid, "320", "200")
            xdo("mousedown", "1")
            for _ in range(10):
                xdo("mousemove_relative", "--", "-12", "-2")
            xdo("mouseup", "1")
            time.sleep(2.0)
            grab("window_turned.png")
            xdo("windowfocus", "--sync", wid)
            xdo("key", "q")
            child.wait(60)
    finally:
        xvfb.terminate()


if __name__ == "__main__":
    main()
