# Shared by scripts/console and scripts/test (sourced, not run).
# Finds Python >= 3.12 and keeps the project virtualenv .venv at the repo root
# installed with the project and its test tools, re-installing only when
# pyproject.toml changes. Callers use `set -euo pipefail`.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

die() { echo "error: $*" >&2; exit 1; }

# Run a command with its output kept aside; show it only if the command fails.
quietly() {
    local log rc=0
    log="$(mktemp)"
    "$@" >"$log" 2>&1 || rc=$?
    if ((rc != 0)); then
        cat "$log" >&2
        echo "error: '$*' failed (exit $rc)" >&2
    fi
    rm -f "$log"
    return "$rc"
}

_python_ok() {
    command -v "$1" >/dev/null 2>&1 &&
        "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1
}

# Prints the first Python >= 3.12 found: $CONSOLE_PYTHON, then PATH (pyenv shims
# resolve through .python-version), then pyenv's installed versions directly.
find_python() {
    local candidate
    if [[ -n "${CONSOLE_PYTHON:-}" ]]; then
        _python_ok "$CONSOLE_PYTHON" || die "CONSOLE_PYTHON=$CONSOLE_PYTHON is not a Python >= 3.12"
        echo "$CONSOLE_PYTHON"
        return
    fi
    for candidate in python3.12 python3.13 python3 python \
        "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
        if _python_ok "$candidate"; then
            echo "$candidate"
            return
        fi
    done
    die "the console needs Python >= 3.12 (found: $(python3 --version 2>&1 || echo none));" \
        "install it, or point CONSOLE_PYTHON at one"
}

ensure_venv() {
    local wanted python
    wanted="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    # A venv left by an older Python, or half-made, is rebuilt from scratch.
    if [[ -e "$VENV" ]] && ! _python_ok "$VENV/bin/python"; then
        echo "==> rebuilding $VENV (its Python is missing or older than 3.12)"
        rm -rf "$VENV"
    fi
    if [[ ! -e "$VENV" ]]; then
        python="$(find_python)"
        echo "==> creating $VENV with $("$python" --version 2>&1)"
        quietly "$python" -m venv "$VENV" || { rm -rf "$VENV"; die "could not create $VENV"; }
    fi
    if [[ "$(cat "$VENV/.installed-hash" 2>/dev/null)" != "$wanted" ]]; then
        echo "==> installing the console and its test tools into $VENV (pyproject.toml changed)"
        export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
        quietly "$VENV/bin/python" -m pip install --upgrade pip
        # The hash is written only after a full install, so a failed one is retried.
        (cd "$ROOT" && quietly "$VENV/bin/python" -m pip install -e '.[test]')
        echo "$wanted" >"$VENV/.installed-hash"
    fi
}
