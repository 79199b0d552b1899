#!/usr/bin/env bash
# The main job: build forge3d, render a PNG and print the copy report.
# Usage: bash scripts/demo.sh [OUTPUT.png]
cd "$(dirname "$0")/.."
FORGE3D_EXTRA_PACKAGES="matplotlib>=3.7" source scripts/_setup.sh
exec .venv/bin/python scripts/demo.py "${1:-forge3d_demo.png}"
