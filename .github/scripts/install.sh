#!/usr/bin/env bash
# The nightly's install: the suite with exactly the versions requirements.lock pins (a new release of a
# dependency changes no verdict until the lock is refreshed on purpose: .github/scripts/refresh-lock.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
python -m pip install --quiet --constraint requirements.lock .
python -m pip check
