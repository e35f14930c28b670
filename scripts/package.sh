#!/usr/bin/env bash
# Linux installers, built here without network access: a .deb and an .rpm of the desktop app
# (release build, page bundled), each with the bert-studio CLI in /usr/bin, the sample data,
# the desktop entry ("Open with BERT Studio" for CSV files) and the icons. An AppImage is added
# only when the tools Tauri downloads for it from GitHub are already in ~/.cache/tauri.
# The packages land in $BERT_STUDIO_CACHE/packages. scripts/test-package.sh installs and drives one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_system_packages
ensure_rust
ensure_npm_packages
cd "$REPO_ROOT"

say "building the page and the release binaries (app and CLI together: one set of features)"
npm run --silent build
cargo build --quiet --release --locked --workspace --features bert-studio-app/custom-protocol

bundles="deb,rpm"
tools="$HOME/.cache/tauri"
if [ -x "$tools/linuxdeploy-x86_64.AppImage" ] && [ -x "$tools/linuxdeploy-plugin-gtk.sh" ]; then
  bundles="$bundles,appimage"
else
  say "AppImage skipped: Tauri downloads linuxdeploy and its plugins from GitHub to build one," \
      "which this machine cannot reach (put them in $tools to build it here; the release workflow builds it)"
fi

# The CLI goes on the user's PATH beside the app; its path depends on the target folder, so
# the packaging config is written here and merged with tauri.conf.json.
extra="$(mktemp --suffix=.json)"
trap 'rm -f "$extra"' EXIT
cli="$CARGO_TARGET_DIR/release/bert-studio"
cat > "$extra" <<JSON
{ "bundle": { "linux": {
  "deb": { "files": { "/usr/bin/bert-studio": "$cli" } },
  "rpm": { "files": { "/usr/bin/bert-studio": "$cli" } } } } }
JSON

say "bundling: $bundles"
rm -rf "$CARGO_TARGET_DIR/release/bundle"
npx tauri bundle --ci --bundles "$bundles" --config "$extra" --features bert-studio-app/custom-protocol

out="$BERT_STUDIO_CACHE/packages"
rm -rf "$out" && mkdir -p "$out"
find "$CARGO_TARGET_DIR/release/bundle" -maxdepth 2 -type f \
  \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' \) -exec cp {} "$out/" \;
say "packages in $out:"
ls -l "$out"
