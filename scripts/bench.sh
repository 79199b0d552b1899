#!/usr/bin/env bash
# Benchmarks: criterion (Rust) and asv (Python), plus the published-wheel
# baseline in .venv-baseline. --quick runs each benchmark once.
# Usage: bash scripts/bench.sh [--quick]
cd "$(dirname "$0")/.."
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
[ -x .venv/bin/asv ] || FORGE3D_EXTRA_PACKAGES="asv>=0.6 psutil>=5.9 pyarrow>=15 polars>=1.0 pandas>=2.1 dask>=2024.1 distributed>=2024.1 datashader>=0.16 pygfx>=0.17 rendercanvas>=2" source scripts/_setup.sh
export NODEVICE_SELECT="${NODEVICE_SELECT:-1}"
set -euo pipefail

# The published forge3d 1.45 wheel, in its own virtualenv (it is also
# imported as `forge3d`), for the same-run speed comparison.
if [ ! -x .venv-baseline/bin/python ]; then
    python3 -m venv .venv-baseline
    .venv-baseline/bin/python -m pip install -q "forge3d==1.45.0" numpy \
        || { echo "bench: could not install the published forge3d 1.45 wheel; the comparison is skipped" >&2; rm -rf .venv-baseline; }
fi

.venv/bin/asv machine --yes > /dev/null
if [ "$QUICK" = 1 ]; then
    # The soak benchmark (bench_soak.py) renders 10,000 frames per workload; once is enough here.
    export FORGE3D_SOAK_FRAMES="${FORGE3D_SOAK_FRAMES:-200}"
    cargo bench --quiet --bench render_readback -- --test
    cargo bench --quiet --bench mesh_upload -- --test
    .venv/bin/python benches/ab_render.py --reps 1
    .venv/bin/python benches/look.py --quick
    # Peers side by side (each library in its own process); exits non-zero
    # when forge3d's grid differs from datashader's.
    .venv/bin/python benches/peers/grid.py --quick > /dev/null
    .venv/bin/python benches/peers/points.py --quick > /dev/null
    .venv/bin/python benches/peers/dask_grid.py --quick > /dev/null
    .venv/bin/python benches/tiles.py --quick > /dev/null
    # Heights in a texture of a device asked for 1024-texel textures: the quick run draws column tiles.
    FORGE3D_MAX_TEXTURE_SIDE=1024 FORGE3D_TERRAIN_HEIGHTS=texture .venv/bin/python benches/huge_dem.py --quick --check > /dev/null
    log=$(mktemp)
    .venv/bin/asv run --python=same --quick --show-stderr --set-commit-hash "$(git rev-parse HEAD)" 2>&1 | tee "$log"
    if grep -qE ' failed|Traceback' "$log"; then echo "bench: an asv benchmark failed" >&2; exit 1; fi
else
    cargo bench --bench render_readback
    cargo bench --bench mesh_upload
    .venv/bin/python benches/look.py --dem 2048 --width 1280 --height 720 --repeat 5
    .venv/bin/python benches/peers/grid.py
    .venv/bin/python benches/peers/points.py
    .venv/bin/python benches/peers/dask_grid.py
    .venv/bin/python benches/tiles.py
    .venv/bin/python benches/huge_dem.py --size 20000 --check
    .venv/bin/asv run --python=same --show-stderr --set-commit-hash "$(git rev-parse HEAD)"
fi
