#!/usr/bin/env bash
# Installs what the tests, the bench and the demo need, non-interactively, from the npm registry and
# Debian's packages only (the same step `npm test` runs first; see scripts/test-all.mjs). Safe to run
# again. As root it apt-get installs chromium, postgresql, prometheus and wrk where missing; as another
# user it prints the exact command to run and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/test-all.mjs install
# The browser test's second host page (Grafana 12.4, React 18) has its own pinned packages; the
# browser test also runs this itself when they are missing.
npm ci --prefix tests/browser/host-react18 --no-audit --no-fund
