#!/usr/bin/env python3
"""Prove forge3d's copy budget on this machine, both ways across the boundary.

Heights in: a float32 C-contiguous (H, W) heightmap goes to the GPU with
exactly one CPU copy whose source pointer is the caller's array.
RGBA out: the rendered frame reaches NumPy with zero CPU copies; the array's
data pointer is the Rust readback memory.
Vertices in: Points.set_vertices records exactly one copy from the caller's
array, and a write_vertices() block records none.

All are checked by pointer equality AND the copy ledger. Prints
"zero-copy OK" and exits 0 on success; prints what failed and exits 1
otherwise.

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

    # Heights in: one copy, from the caller's pointer.
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    heights = np.sin(x / max(width, 2) * 6.0) * np.cos(y / max(height, 2) * 4.0)
    heights = np.ascontiguousarray(heights, dtype=np.float32)
    if heights.shape[0] < 2 or heights.shape[1] < 2:
        heights = np.zeros((max(height, 2), max(width, 2)), np.float32)
    with forge3d.copy_ledger() as ledger_in:
        renderer.add_terrain(heights)
    in_records = ledger_in.records
    if len(in_records) != 1:
        failures.append(f"heights in: {len(in_records)} CPU copies recorded (expected exactly 1)")
    elif in_records[0].source_ptr != ptr(heights):
        failures.append(
            f"heights in: the copy read from 0x{in_records[0].source_ptr:x}, not the caller's 0x{ptr(heights):x}"
        )

    # RGBA out: zero copies, the array is the readback memory.
    with forge3d.copy_ledger() as ledger:
        rgba = renderer.render_terrain_rgba()
    frame = rgba.base
    if not isinstance(frame, forge3d.Frame):
        failures.append(f"rgba.base is {type(frame).__name__}, not forge3d.Frame")
    numpy_ptr, rust_ptr = ptr(rgba), frame.ptr
    if numpy_ptr != rust_ptr:
        failures.append(f"RGBA out: NumPy data 0x{numpy_ptr:x} != Rust readback 0x{rust_ptr:x}")
    if ledger.copies:
        failures.append(f"RGBA out: {ledger.copies} CPU copies recorded (expected 0)")
    info = check_zero_copy_compatibility(rgba, "rgba", np.uint8)
    if not info["compatible"]:
        failures.extend(info["issues"])

    # Simulation vertices in: one copy from the caller's array, and none
    # through a mapped write.
    verts = np.random.default_rng(0).random((100_000, 3), dtype=np.float32)
    points = forge3d.Points(verts)
    with forge3d.copy_ledger() as ledger_v:
        points.set_vertices(verts)
    v_records = ledger_v.records
    if [(r.operation, r.source_ptr) for r in v_records] != [("upload", ptr(verts))]:
        failures.append(f"set_vertices: expected one upload from 0x{ptr(verts):x}, got {v_records}")
    with forge3d.copy_ledger() as ledger_w:
        with points.write_vertices() as view:
            view[:] = verts
    mapped = view.base.origin == "mapped_upload"
    if mapped and ledger_w.copies:
        failures.append(f"write_vertices: {ledger_w.copies} CPU copies recorded (expected 0)")

    device = forge3d.device_info()
    print(f"device: {device['name']} ({device['backend']}, {device['device_type']})")
    print(f"heights in: {heights.shape} float32, {heights.nbytes} bytes, {len(in_records)} CPU copy")
    print(f"RGBA out: {width}x{height} frame, {rgba.nbytes} bytes, {ledger.copies} CPU copies")
    print(f"vertices in: {verts.nbytes} bytes, set_vertices {len(v_records)} CPU copy, "
          f"write_vertices {ledger_w.copies} CPU copies ({view.base.origin})")
    if args.verbose:
        print(f"  heights pointer    : 0x{ptr(heights):x}")
        print("  " + ledger_in.report().replace("\n", "\n  "))
        print(f"  numpy data pointer : 0x{numpy_ptr:x}")
        print(f"  rust readback ptr  : 0x{rust_ptr:x} (origin: {frame.origin})")
        print(f"  alignment          : {info['alignment']} bytes")
        print("  " + ledger.report().replace("\n", "\n  "))

    if failures:
        for f in failures:
            print("FAIL:", f)
        return 1
    print("zero-copy OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
