#!/usr/bin/env python3
"""Prove forge3d's zero-copy paths on this machine.

Renders a frame of the requested size, then checks, by pointer equality AND
the copy ledger, that the NumPy array is the Rust-side readback memory and
that no CPU copy of the frame was made. Prints "zero-copy OK" and exits 0 on
success; prints what failed and exits 1 otherwise.

    python python/tools/profile_copies.py --render-size 1920x1080 --verbose
"""

from __future__ import annotations

import argparse
import sys


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--render-size: expected WIDTHxHEIGHT such as 1920x1080, got {text!r}")
    if w < 1 or h < 1:
        raise argparse.ArgumentTypeError(f"--render-size: width and height must be positive, got {text!r}")
    return w, h


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render-size", type=parse_size, default=(512, 512), metavar="WxH")
    ap.add_argument("--verbose", action="store_true", help="print pointers and ledger entries")
    args = ap.parse_args(argv)

    import numpy as np

    import forge3d
    from forge3d._validate import check_zero_copy_compatibility, ptr

    width, height = args.render_size
    renderer = forge3d.Renderer(width, height)
    failures: list[str] = []

    with forge3d.copy_ledger() as ledger:
        rgba = renderer.render_triangle_rgba()
    frame = rgba.base
    if not isinstance(frame, forge3d.Frame):
        failures.append(f"rgba.base is {type(frame).__name__}, not forge3d.Frame")
    numpy_ptr, rust_ptr = ptr(rgba), frame.ptr
    if numpy_ptr != rust_ptr:
        failures.append(f"RGBA out: NumPy data 0x{numpy_ptr:x} != Rust readback 0x{rust_ptr:x}")
    out_copies = [r for r in ledger.records if r.source_ptr == rust_ptr or r.bytes >= rgba.nbytes]
    if ledger.copies:
        failures.append(f"RGBA out: {ledger.copies} CPU copies recorded (expected 0)")
    info = check_zero_copy_compatibility(rgba, "rgba", np.uint8)
    if not info["compatible"]:
        failures.extend(info["issues"])

    device = forge3d.device_info()
    print(f"device: {device['name']} ({device['backend']}, {device['device_type']})")
    print(f"RGBA out: {width}x{height} frame, {rgba.nbytes} bytes, {ledger.copies} CPU copies")
    if args.verbose:
        print(f"  numpy data pointer : 0x{numpy_ptr:x}")
        print(f"  rust readback ptr  : 0x{rust_ptr:x} (origin: {frame.origin})")
        print(f"  alignment          : {info['alignment']} bytes")
        print("  " + ledger.report().replace("\n", "\n  "))
        for r in out_copies:
            print(f"  copy of the frame: {r}")

    if failures:
        for f in failures:
            print("FAIL:", f)
        return 1
    print("zero-copy OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
