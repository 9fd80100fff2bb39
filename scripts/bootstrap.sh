# Sourced by scripts/run and scripts/test: makes .venv ready on a fresh Debian/Ubuntu machine.
# Usage: EXTRAS=test . scripts/bootstrap.sh [apt packages the caller needs...]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo/.venv"

# Qt's xcb/offscreen plugins need these shared libraries; callers add their own (xvfb, keyring...).
needed_debs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
             libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 "$@")
missing=()
if command -v dpkg-query >/dev/null; then
    for deb in "${needed_debs[@]}"; do
        dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "ok installed" || missing+=("$deb")
    done
fi
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
        echo "Installing system packages: ${missing[*]}" >&2
        apt_log=$(mktemp)
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
               apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
            cat "$apt_log" >&2; echo "Could not install: ${missing[*]}" >&2; exit 1
        fi
        rm -f "$apt_log"
    else
        echo "Missing system packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
    fi
fi

# The default python3 first (any 3.11+ works), unless PYTHON names one.
python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            python=$candidate; break
        fi
    done
fi
[ -n "$python" ] || { echo "Task Assistant needs Python 3.11 or newer." >&2; exit 1; }

stamp="$venv/.installed"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" >&2
fi
# Reinstall only when the dependency list changed since the last install.
if [ ! -f "$stamp" ] || [ "$repo/pyproject.toml" -nt "$stamp" ] ||
   ! grep -qx "${EXTRAS:-}" "$stamp"; then
    "$venv/bin/python" -m pip install -q --upgrade pip >&2
    "$venv/bin/python" -m pip install -q -e "$repo${EXTRAS:+[$EXTRAS]}" >&2
    echo "${EXTRAS:-}" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
