#!/usr/bin/env bash
# The run command: builds the bert-studio CLI and runs it. Without arguments it shows the
# default model, bert-base-multilingual-uncased (downloaded from the Hugging Face Hub on
# first use); any arguments are passed to bert-studio (try --help).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_system_packages
ensure_rust
cd "$REPO_ROOT"
if [ $# -eq 0 ]; then
  set -- inspect bert-base-multilingual-uncased
fi
cargo run --quiet --locked -p bert-studio-engine --bin bert-studio -- "$@"
