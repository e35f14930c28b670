#!/usr/bin/env bash
# Streaming, shown: peak memory of `bert-studio predict` on generated CSV files of growing size
# (rows of the NACE sample repeated with a row number, SIZES in MB), with the tiny fixture model
# so that a large file takes minutes, not hours. Peak RSS should not grow with the file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SIZES="${SIZES:-10 100 1000}"
work="$BERT_STUDIO_CACHE/bench-predict-memory"
model="$REPO_ROOT/src-tauri/engine/tests/fixtures/tiny-bert"
mkdir -p "$work"
cd "$REPO_ROOT"
build_cli

printf '%10s %12s %10s %12s %15s\n' "file (MB)" rows seconds "rows/s" "peak RSS (MiB)"
for mb in $SIZES; do
  input="$work/rows-$mb.csv"
  if [ ! -f "$input" ]; then
    python3 - "$REPO_ROOT/data/sample/nace_fr.csv" "$input" "$mb" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))[1:]
limit = int(sys.argv[3]) * 1_000_000
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["row", "text", "label"])
    n = 0
    while f.tell() < limit:
        for text, label in rows:
            w.writerow([n, text, label])
            n += 1
PY
  fi
  /usr/bin/time -v -o "$work/time.txt" "$CARGO_TARGET_DIR/debug/bert-studio" predict --json \
    --model "$model" --input "$input" --output "$work/out.csv" --text-column text --device cpu \
    | grep '"event":"finished"' > "$work/finished.json"
  python3 - "$input" "$work/finished.json" "$(peak_rss_mib "$work/time.txt")" <<'PY'
import json, os, sys
f = json.load(open(sys.argv[2]))
rss = float(sys.argv[3])
print(f"{os.path.getsize(sys.argv[1]) / 1e6:10.0f} {f['rows']:12,} {f['seconds']:10.1f} {f['rows_per_second']:12,.0f} {rss:15.0f}")
PY
  rm -f "$work/out.csv"
done
