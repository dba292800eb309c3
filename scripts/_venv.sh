# Sourced by the entry scripts: create .venv if missing and install the project.
# Usage: . scripts/_venv.sh EXTRAS   (e.g. "gui,dev")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
STAMP=".venv/.installed-$1"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$1]"
    touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
