#!/usr/bin/env bash
# Set-up shared by ./scripts/serve and ./scripts/test: idempotent, offline except for the package registries.
# Creates .venv with the pinned Python packages and the project, and node_modules with the pinned npm packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "error: $*" >&2; exit 1; }

command -v python3 >/dev/null 2>&1 || die "python3 not found: install Python 3.11 or newer."
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 or newer is needed; python3 is $(python3 --version 2>&1)."
command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20+ and npm (Debian: apt-get install nodejs npm)."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv || die "could not create .venv (Debian: apt-get install python3-venv)."
fi
if ! cmp -s requirements.lock .venv/.installed-requirements.lock; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock \
    || die "pip could not install requirements.lock: check access to PyPI."
  cp requirements.lock .venv/.installed-requirements.lock
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . \
  || die "pip could not install the calculators package from pyproject.toml."

if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json .venv/.installed-package-lock.json; then
  npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed: check access to the npm registry."
  cp package-lock.json .venv/.installed-package-lock.json
fi
