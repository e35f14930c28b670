#!/usr/bin/env bash
# The .deb as a user gets it: installed with the system's package tool (its dependencies from
# the distribution), the installed app started from its desktop entry's Exec line under a
# virtual display (its window found and a screenshot checked), a CSV handed to the running app
# as "Open with" does, the installed CLI run, then the package removed and nothing of it left
# outside the user's data folder. The .rpm's metadata and file list are checked with rpm.
# Builds the packages first (scripts/package.sh) unless they are in $BERT_STUDIO_CACHE/packages.
# Needs root or sudo (it installs a package). Not part of .ci/run: a release build takes ~40 min.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_install() { DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null; }

out="$BERT_STUDIO_CACHE/packages"
ls "$out"/*.deb >/dev/null 2>&1 || "$REPO_ROOT/scripts/package.sh"
deb="$(ls "$out"/*.deb | head -1)"
rpm_file="$(ls "$out"/*.rpm | head -1)"
work="$(mktemp -d)"
trap 'kill "${app_pid:-0}" 2>/dev/null || true; kill "${xvfb_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

say "rpm metadata and file list ($(basename "$rpm_file"))"
command -v rpm >/dev/null || apt_install rpm
rpm -qip "$rpm_file" | tee "$work/rpm-info" | sed -n '1,12p'
rpm -qlp "$rpm_file" > "$work/rpm-files"
for f in /usr/bin/bert-studio /usr/bin/bert-studio-app "/usr/share/applications/BERT Studio.desktop" \
         "/usr/lib/BERT Studio/sample/nace_fr.csv" /usr/share/icons/hicolor/128x128/apps/bert-studio-app.png; do
  grep -qxF "$f" "$work/rpm-files" || fail "the .rpm lacks $f"
done
grep -q "^Summary *: Fine-tune BERT" "$work/rpm-info" || fail "the .rpm has no summary"

say "installing $(basename "$deb") with apt (dependencies from the distribution)"
dpkg-deb -f "$deb" Depends | tee "$work/depends"
grep -q -- "-dev" "$work/depends" && fail "the .deb depends on development packages"
$sudo apt-get remove -y -qq bert-studio >/dev/null 2>&1 || true
$sudo apt-get update -qq
apt_install "$deb" x11-apps x11-utils xvfb
dpkg -L bert-studio > "$work/installed"
desktop="/usr/share/applications/BERT Studio.desktop"
[ -f "$desktop" ] || fail "no desktop entry"
grep -q "^MimeType=.*text/csv" "$desktop" || fail "the desktop entry does not open CSV files"
ls /usr/share/icons/hicolor/*/apps/bert-studio-app.png | sed 's/^/  icon: /'

say "the installed CLI"
bert-studio --version | tee "$work/version"
grep -q "0\.1\.0\|[0-9]\+\.[0-9]\+\.[0-9]\+" "$work/version" || fail "no version"
bert-studio predict --model "$REPO_ROOT/src-tauri/engine/tests/fixtures/tiny-bert" \
  --input "$REPO_ROOT/src-tauri/engine/tests/fixtures/evaluate.csv" --text-column libelle \
  --device cpu --output "$work/classified.csv"
rows_in=$(( $(wc -l < "$REPO_ROOT/src-tauri/engine/tests/fixtures/evaluate.csv") ))
[ "$(wc -l < "$work/classified.csv")" -eq "$rows_in" ] || fail "predict wrote a different number of rows"
# Any x86-64 CPU of the last ten years: the same binary on an emulated Nehalem (2008: SSE4.2,
# no AVX at all), the kernels' portable paths chosen at run time, gives the same labels.
if [ "$(uname -m)" = x86_64 ]; then
  command -v qemu-x86_64 >/dev/null || apt_install qemu-user
  qemu-x86_64 -cpu Nehalem "$(command -v bert-studio)" predict \
    --model "$REPO_ROOT/src-tauri/engine/tests/fixtures/tiny-bert" \
    --input "$REPO_ROOT/src-tauri/engine/tests/fixtures/evaluate.csv" --text-column libelle \
    --device cpu --output "$work/classified-nehalem.csv"
  "$BERT_STUDIO_PYTHON" - "$work/classified.csv" "$work/classified-nehalem.csv" <<'PY'
import csv, sys
a, b = ([r[-2] for r in csv.reader(open(p, encoding="utf-8"), delimiter=";")] for p in sys.argv[1:])
assert a == b, "labels differ on a CPU without AVX"
print(f"same {len(a) - 1} labels on an emulated CPU without AVX")
PY
fi

# A screenshot of the virtual display as PNG in the packages folder, checked not to be blank.
screenshot() { # name
  xwd -root -silent > "$work/screen.xwd"
  "$BERT_STUDIO_PYTHON" - "$work/screen.xwd" "$out/$1.png" <<'PY'
# XWD (32 bits per pixel, as Xvfb writes at depth 24) to PNG, and a check that the window
# drew something: many distinct colours, not one flat background.
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
header = struct.unpack(">25I", data[:100])
size, width, height, bpl, ncolors = header[0], header[4], header[5], header[12], header[19]
pixels = data[size + ncolors * 12:]
rows, colours = [], set()
for y in range(height):
    line = pixels[y * bpl:y * bpl + width * 4]
    rgb = bytearray()
    for x in range(0, width * 4, 4):
        b, g, r = line[x], line[x + 1], line[x + 2]
        rgb += bytes((r, g, b))
        if x % 16 == 0 and y % 4 == 0:
            colours.add((r, g, b))
    rows.append(b"\0" + bytes(rgb))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")
open(sys.argv[2], "wb").write(png)
print(f"screenshot {width}x{height}, {len(colours)} colours sampled -> {sys.argv[2]}")
sys.exit(0 if len(colours) > 20 else "the window is blank")
PY
}

say "the installed app, started from its desktop entry under a virtual display"
exec_line="$(sed -n 's/^Exec=//p' "$desktop" | head -1)"
program="${exec_line%% *}"
export DISPLAY=:97 XDG_RUNTIME_DIR="$work/runtime"
mkdir -m 700 "$XDG_RUNTIME_DIR"
Xvfb :97 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1
started=$(date +%s.%N)
"$program" >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 120); do
  xwininfo -root -tree 2>/dev/null | grep -q '"BERT Studio"' && break
  kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log"; fail "the app exited"; }
  sleep 0.25
done
xwininfo -root -tree | grep -q '"BERT Studio"' || fail "no BERT Studio window"
say "window after $(python3 -c "print(f'{$(date +%s.%N) - $started:.1f}')") s"
sleep 4 # the page draws
screenshot installed-app

say "a CSV opened with the app while it runs goes to the running window"
csv="$work/to classify.csv"
printf 'text\nfabrication de meubles\n' > "$csv"
# The desktop entry's %F becomes the file, as a file manager does it.
timeout 20 "$program" "$csv" || fail "the second start did not hand the file over and exit"
kill -0 "$app_pid" 2>/dev/null || fail "the running app stopped"
sleep 2
screenshot installed-app-opened-csv # the file's card in Classify
[ "$(pgrep -c -x bert-studio-app)" -eq 1 ] || fail "a second window started"
kill "$app_pid"; wait "$app_pid" 2>/dev/null || true

say "removing the package"
apt-get remove --purge -y -qq bert-studio >/dev/null
left=""
while IFS= read -r f; do
  [ -e "$f" ] && [ ! -d "$f" ] && left="$left$f"$'\n'
done < "$work/installed"
[ -z "$left" ] || fail "left behind: $left"
hash -r
command -v bert-studio >/dev/null && fail "bert-studio still on the PATH"
say "package test passed"
