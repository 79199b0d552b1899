"""The main job: render with forge3d, write a PNG, print the copy report."""

import sys

import numpy as np

import forge3d
from forge3d._validate import ptr


def main(out: str) -> int:
    info = forge3d.device_info()
    print(f"forge3d {forge3d.__version__} on {info['name']} ({info['backend']}, {info['device_type']})")
    r = forge3d.Renderer(1280, 720)
    with forge3d.copy_ledger() as ledger:
        rgba = r.render_triangle_rgba()
        rgba.base.to_png(out)
    print(f"wrote {out}: {rgba.shape[1]}x{rgba.shape[0]} RGBA")
    print(f"frame -> NumPy: data pointer 0x{ptr(rgba):x} == readback 0x{rgba.base.ptr:x}: {ptr(rgba) == rgba.base.ptr}")
    print(ledger.report())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "forge3d_demo.png"))
