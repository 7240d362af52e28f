#!/usr/bin/env bash
# Installs everything the tests and the demo need, non-interactively, from the npm registry and
# Debian's packages only. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    echo "missing system packages: ${need_apt[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
fi

# npm ci refuses our lockfile when the registry lacks optional platform binaries of other systems
# (e.g. @swc/core-darwin-arm64), so fall back to npm install, which honours the same lockfile.
if ! npm ci --no-audit --no-fund; then
  echo "npm ci failed; falling back to npm install with the committed lockfile" >&2
  npm install --no-audit --no-fund
fi
