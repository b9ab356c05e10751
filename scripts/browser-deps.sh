#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium (Playwright drives it
# through executable_path; no browser download) and axe-core from npm.
# Without root or a package manager it only says what is missing: the browser
# tests then skip locally (and fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "browser-deps: chromium is not installed (apt-get install chromium); browser tests will skip" >&2
  fi
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null 2>&1; then
    npm install --no-save --no-audit --no-fund --silent axe-core@4 >/dev/null
  else
    echo "browser-deps: npm is missing; accessibility tests will skip" >&2
  fi
fi
