#!/usr/bin/env bash
# Installs what the tests, the bench and the demo need, non-interactively, from the npm registry and
# Debian's packages only: the same step `npm test` runs first (scripts/test-all.mjs: the npm
# dependencies, those of the browser test's React 18 host in tests/browser/host-react18, and as root
# Debian's chromium, postgresql, prometheus and wrk where missing). Safe to run again. As another user
# it prints the exact apt-get command to run and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/test-all.mjs install
