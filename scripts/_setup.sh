# Shared set-up for scripts/demo.sh, scripts/test.sh and scripts/bench.sh.
# Source it from the repository root. It is idempotent: a second run only
# rebuilds what changed.
#
# - installs Mesa's software Vulkan driver (lavapipe) via apt when no Vulkan
#   driver is present and we are root (or have passwordless sudo);
# - creates .venv with the build, test and demo dependencies;
# - builds the extension in release mode into .venv (maturin develop).
set -euo pipefail

have_vulkan_driver() {
    ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || return 1
    local d
    for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d \
        ${VK_DRIVER_FILES:+$(dirname "${VK_DRIVER_FILES%%:*}")} \
        ${VK_ICD_FILENAMES:+$(dirname "${VK_ICD_FILENAMES%%:*}")}; do
        compgen -G "$d/*.json" > /dev/null && return 0
    done
    return 1
}

if ! have_vulkan_driver; then
    if command -v apt-get > /dev/null; then
        SUDO=""
        if [ "$(id -u)" != 0 ]; then
            if sudo -n true 2> /dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
        fi
        if [ "$SUDO" = none ]; then
            echo "forge3d: no Vulkan driver found; run 'sudo apt-get install mesa-vulkan-drivers' and retry" >&2
        else
            echo "forge3d: no Vulkan driver found; installing Mesa's software Vulkan driver (lavapipe)" >&2
            $SUDO apt-get update -qq
            DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq mesa-vulkan-drivers libvulkan1 > /dev/null
        fi
    else
        echo "forge3d: no Vulkan driver found; install your GPU's Vulkan driver or Mesa's lavapipe" >&2
    fi
fi

# Mesa's EGL/GL drivers, for the tests of the OpenGL backend
# (FORGE3D_BACKEND=gl): only in CI or when FORGE3D_INSTALL_GL=1.
if [ "${CI:-}${FORGE3D_INSTALL_GL:-}" != "" ] && ! ldconfig -p 2>/dev/null | grep -q 'libEGL_mesa\.so'; then
    if command -v apt-get > /dev/null && { [ "$(id -u)" = 0 ] || sudo -n true 2> /dev/null; }; then
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
        echo "forge3d: installing Mesa's EGL drivers for the OpenGL backend tests" >&2
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libegl1 libegl-mesa0 libgl1-mesa-dri > /dev/null
    fi
fi

# Xvfb and xdotool for the window tests (a virtual X server driven by
# synthetic input) and Chromium for the Jupyter widget's: when
# FORGE3D_INSTALL_X=1 (scripts/test.sh sets it).
if [ "${FORGE3D_INSTALL_X:-}" != "" ] && ! { command -v Xvfb && command -v xdotool && command -v chromium; } > /dev/null; then
    if command -v apt-get > /dev/null && { [ "$(id -u)" = 0 ] || sudo -n true 2> /dev/null; }; then
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
        echo "forge3d: installing Xvfb, xdotool and Chromium for the window and widget tests" >&2
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq xvfb xdotool libx11-6 libx11-xcb1 libxkbcommon-x11-0 \
            libxcursor1 libxrandr2 libxi6 chromium > /dev/null
    else
        echo "forge3d: the window and widget tests need Xvfb, xdotool and Chromium" \
            "(apt-get install xvfb xdotool chromium)" >&2
    fi
fi

# Mesa's device-select layer probes for a Wayland display and complains on
# headless machines; forge3d chooses adapters itself.
export NODEVICE_SELECT="${NODEVICE_SELECT:-1}"

command -v cargo > /dev/null || { echo "forge3d: cargo not found; install Rust (https://rustup.rs)" >&2; exit 1; }
PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "forge3d: Python 3.11+ required" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
VPY=.venv/bin/python
"$VPY" -m pip install -q --upgrade pip > /dev/null
# shellcheck disable=SC2086
"$VPY" -m pip install -q "maturin>=1.8,<2" "numpy>=1.26" ${FORGE3D_EXTRA_PACKAGES:-}
.venv/bin/maturin develop --release --quiet
"$VPY" -c 'import forge3d' || { echo "forge3d: the extension did not build" >&2; exit 1; }
