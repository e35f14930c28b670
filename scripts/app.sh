#!/usr/bin/env bash
# The app command: installs what the desktop app needs, builds it and opens its window.
# Click "Use the sample data" in the first step to train on the bundled NACE sample.
# (The CLI does the same job headless: scripts/run.sh.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_system_packages
ensure_rust
build_app
say "starting BERT Studio"
exec "$CARGO_TARGET_DIR/debug/bert-studio-app" "$@"
