#!/usr/bin/env bash
# Data-parallel scaling on this machine's loopback, measured side by side in one run: the same
# all-MiniLM-L6-v2 run (STEPS optimizer steps of batch 16 × ACCUM, max_seq_len 128, dropout on, one
# epoch, no evaluation) as one process on every core, then as two `bert-studio train`
# processes as two nodes on 127.0.0.1 (each given half of the cores, RAYON_NUM_THREADS, so they
# share the machine instead of fighting over it), then as two CPU copies in one process
# (`--devices cpu,cpu`). Prints each run's samples/s (the epoch's rows over its seconds) and
# the ratio to the single process. On one machine this measures what splitting costs (the
# all-reduce of every optimizer step, smaller matrix products); the gain needs machines of
# their own. A larger ACCUM (gradient accumulation) spreads one all-reduce over more rows.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh" >/dev/null
STEPS="${STEPS:-20}"
ACCUM="${ACCUM:-2}"
rows=$(( STEPS * 16 * ACCUM ))
PORT="${PORT:-29800}"
work="$BERT_STUDIO_CACHE/bench-cluster"
model="$BERT_STUDIO_ASSETS/all-MiniLM-L6-v2"
mkdir -p "$work"
"$BERT_STUDIO_PYTHON" - "$REPO_ROOT/data/sample/nace_fr.csv" "$work" "$rows" <<'PY'
import csv, random, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
header, body = rows[0], rows[1:]
random.Random(0).shuffle(body)
n = int(sys.argv[3])
for name, part in [("train.csv", body[:n]), ("validation.csv", body[n:n + 64])]:
    with open(f"{sys.argv[2]}/{name}", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(header); w.writerows(part)
PY

cd "$REPO_ROOT"
build_cli
cores="$(nproc)"
half=$(( cores / 2 > 0 ? cores / 2 : 1 ))
train() { # output-name extra-flags…
  local out="$work/$1"
  rm -rf "$out"
  "$CARGO_TARGET_DIR/debug/bert-studio" train --json --input "$work/train.csv" \
    --validation "$work/validation.csv" --model "$model" --epochs 1 --max-seq-len 128 \
    --eval-strategy no --gradient-accumulation-steps "$ACCUM" --output "$out" "${@:2}" > "$out.jsonl"
}
say "one process, $cores threads"
train one --device cpu
say "two nodes on 127.0.0.1, $half thread(s) each"
RAYON_NUM_THREADS="$half" train nodes --device cpu --nodes 2 --node-rank 0 --coordinator "127.0.0.1:$PORT" &
lead=$!
RAYON_NUM_THREADS="$half" train nodes-1 --device cpu --nodes 2 --node-rank 1 --coordinator "127.0.0.1:$PORT"
wait "$lead"
say "two CPU copies in one process, $cores threads"
train copies --devices cpu,cpu

say "batch 16 × $ACCUM, $STEPS optimizer steps, $rows rows"
"$BERT_STUDIO_PYTHON" - "$work" "$rows" <<'PY'
import json, sys
work, rows = sys.argv[1], int(sys.argv[2])
def rate(name):
    for line in open(f"{work}/{name}.jsonl", encoding="utf-8"):
        event = json.loads(line)
        if event.get("event") == "epoch_finished":
            return rows / event["seconds"]
    sys.exit(f"{name}: no epoch ended (see {work}/{name}.jsonl)")
one = rate("one")
print(f"{'run':<34} {'samples/s':>10} {'vs one process':>15}")
for name, label in [("one", "one process"), ("nodes", "two nodes on loopback"), ("copies", "two CPU copies in one process")]:
    r = rate(name)
    print(f"{label:<34} {r:>10.1f} {r / one:>14.2f}×")
PY
