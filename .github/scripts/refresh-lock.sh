#!/usr/bin/env bash
# Regenerates requirements.lock from pyproject.toml with pip-tools: the exact version of every package the
# project and its dev extra install, resolved for the Python 3.11 that runs it. Run it on purpose (a new
# dependency, a release wanted), then the project's tests, and commit the lock with the reason.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install --quiet 'pip-tools==7.6.2'
"$tools/bin/pip-compile" --quiet --upgrade --extra dev --allow-unsafe --strip-extras --no-emit-index-url \
    --no-emit-find-links --output-file requirements.lock pyproject.toml
echo "requirements.lock refreshed; run the project's tests before committing it"
