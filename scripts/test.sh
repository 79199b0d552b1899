#!/usr/bin/env bash
# The whole test suite: Rust tests, Python tests, and every benchmark once
# (quick mode) so none rots.
cd "$(dirname "$0")/.."
FORGE3D_EXTRA_PACKAGES="pytest>=8 hypothesis>=6 pyarrow>=15 polars>=1.0 pandas>=2.1 psutil>=5.9 matplotlib>=3.7 asv>=0.6 duckdb>=1.1 arro3-core>=0.4 nanoarrow>=0.6 taichi>=1.7 panda3d>=1.10 imageio-ffmpeg>=0.5 tqdm>=4 atheris>=2.3 rasterio>=1.3 xarray>=2024.1 rioxarray>=0.15 netCDF4>=1.6 dask>=2024.1 distributed>=2024.1 datashader>=0.16 pygfx>=0.17 rendercanvas>=2 anywidget>=0.9 pillow>=9 playwright>=1.40 nbconvert>=7 nbformat>=5" \
    FORGE3D_INSTALL_X=1 source scripts/_setup.sh

echo "== cargo test"
cargo test --release --all-targets --quiet
echo "== pytest"
.venv/bin/python -m pytest -q tests/python
echo "== benchmarks, each once (quick)"
bash scripts/bench.sh --quick
