# Sourced by scripts/run and scripts/test: makes this checkout ready on a fresh Debian/Ubuntu
# machine. It defines two steps for them to call; both speak only on stderr, and only when they
# have something to do, so the app's own output stays exactly the app's.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo/.venv"

# The shared libraries Qt's xcb platform plugin loads; a window cannot open without them. And
# PortAudio, which the microphone button records with (sounddevice loads it when asked to).
QT_SYSTEM_PACKAGES=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
                    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
                    libportaudio2)

# ensure_system_packages DEB...: installs the missing ones as root, or names them otherwise.
ensure_system_packages() {
    local missing=() deb
    command -v dpkg-query >/dev/null || return 0  # not Debian: the user brings their own
    for deb in "$@"; do
        dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "ok installed" || missing+=("$deb")
    done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" != 0 ]; then
        echo "Missing system packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
        return 0
    fi
    echo "Installing system packages: ${missing[*]}" >&2
    local log
    log=$(mktemp)
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
           apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2; echo "Could not install: ${missing[*]}" >&2; exit 1
    fi
    rm -f "$log"
}

# ensure_venv [EXTRAS]: .venv with the app installed (editable) with at least these extras
# ("test,build"). The stamp records what was installed and for which pyproject.toml, so
# switching between scripts/run and scripts/test never reinstalls: the extras only grow.
ensure_venv() {
    local wanted=${1:-} stamp="$venv/.installed" python=${PYTHON:-} candidate
    local project installed="" extras
    project=$(sha256sum "$repo/pyproject.toml" | cut -d' ' -f1)
    [ -f "$stamp" ] && installed=$(sed -n 2p "$stamp")
    extras=$(printf '%s\n' ${installed//,/ } ${wanted//,/ } | sort -u | paste -sd, -)
    if [ -f "$stamp" ] && [ "$(sed -n 1p "$stamp")" = "$project" ] && [ "$extras" = "$installed" ]; then
        export PATH="$venv/bin:$PATH"
        return 0
    fi
    if [ -z "$python" ]; then  # the default python3 first (any 3.11+ works), unless PYTHON names one
        for candidate in python3 python3.13 python3.12 python3.11; do
            if command -v "$candidate" >/dev/null &&
               "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
                python=$candidate; break
            fi
        done
    fi
    [ -n "$python" ] || { echo "Task Assistant needs Python 3.11 or newer." >&2; exit 1; }
    echo "Setting up $venv${extras:+ with $extras}…" >&2
    local log
    log=$(mktemp)
    # pip and the build backend talk a lot (setuptools' editable-install banner among it): keep
    # it, and show it only when something failed.
    if ! { [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"; } >"$log" 2>&1 ||
       ! "$venv/bin/python" -m pip install -q --upgrade pip >>"$log" 2>&1 ||
       ! "$venv/bin/python" -m pip install -q -e "$repo${extras:+[$extras]}" >>"$log" 2>&1; then
        cat "$log" >&2; echo "Could not set up $venv." >&2; exit 1
    fi
    rm -f "$log"
    printf '%s\n%s\n' "$project" "$extras" > "$stamp"
    export PATH="$venv/bin:$PATH"
}
