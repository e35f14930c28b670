#!/usr/bin/env bash
# Training speed, measured side by side in one run: the same recipe (batch 16 × 2 accumulation,
# max_seq_len 128, dropout on) for a fixed number of optimizer steps on the same rows of the NACE
# sample, with the engine as `bert-studio train` runs by default and with the Hugging Face
# Trainer, one after the other on this machine, all cores each:
#   - all-MiniLM-L6-v2: engine; Trainer (default random batches); Trainer with
#     train_sampling_strategy="group_by_length" (PyTorch's strongest configuration here);
#   - a random model of BERT-base's size (12 layers, hidden 768, as the notebook's model):
#     engine and default Trainer, BASE_STEPS steps.
# The three MiniLM runs are repeated REPEATS times, interleaved (engine, Trainer, Trainer grouped,
# engine, …), so a slow spell of this machine falls on both sides; each side's median is compared.
# Prints every run's samples/s and peak memory (max RSS), the medians and the ratios engine / PyTorch.
# BERT_STUDIO_SIMD=avx2 runs the engine's fused kernels as on a CPU without AVX-512.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh" >/dev/null
STEPS="${STEPS:-20}"
BASE_STEPS="${BASE_STEPS:-12}"
REPEATS="${REPEATS:-3}"
work="$BERT_STUDIO_CACHE/bench-train"
model="$BERT_STUDIO_ASSETS/all-MiniLM-L6-v2"
base="$BERT_STUDIO_ASSETS/bert-base-size-random"
mkdir -p "$work"
[ -f "$base/config.json" ] || "$BERT_STUDIO_PYTHON" "$REPO_ROOT/scripts/reference/hf_trainer.py" \
  base-size-model --like "$model" --out "$base" 2>/dev/null
# The first rows of a shuffled copy: every class mixed in, the same rows for both.
"$BERT_STUDIO_PYTHON" - "$REPO_ROOT/data/sample/nace_fr.csv" "$work" "$(( STEPS * 32 ))" "$(( BASE_STEPS * 32 ))" <<'PY'
import csv, random, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
header, body = rows[0], rows[1:]
random.Random(0).shuffle(body)
n, nb = int(sys.argv[3]), int(sys.argv[4])
for name, part in [("train.csv", body[:n]), ("train-base.csv", body[:nb]), ("validation.csv", body[n:n + 64])]:
    with open(f"{sys.argv[2]}/{name}", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(header); w.writerows(part)
PY

cd "$REPO_ROOT"
build_cli
engine() { # name model train-csv
  say "engine, $1"
  rm -rf "$work/engine-out-$1"
  /usr/bin/time -v -o "$work/engine-$1.time" "$CARGO_TARGET_DIR/debug/bert-studio" train --json \
    --input "$work/$3" --validation "$work/validation.csv" --model "$2" --epochs 1 \
    --max-seq-len 128 --eval-strategy no --device cpu --output "$work/engine-out-$1" > "$work/engine-$1.jsonl"
}
trainer() { # name model train-csv steps [--group-by-length]
  say "PyTorch (transformers Trainer), $1"
  /usr/bin/time -v -o "$work/torch-$1.time" "$BERT_STUDIO_PYTHON" "$REPO_ROOT/scripts/reference/hf_trainer.py" train \
    --model "$2" --train "$work/$3" --validation "$work/validation.csv" --out "$work/torch-out-$1" \
    --max-len 128 --max-steps "$4" "${@:5}" > "$work/torch-$1.log" 2>&1
}
rm -f "$work"/*.time "$work"/*.jsonl "$work"/torch-*.log
for run in $(seq 1 "$REPEATS"); do
  engine "minilm-$run" "$model" train.csv
  trainer "minilm-$run" "$model" train.csv "$STEPS"
  trainer "minilm-grouped-$run" "$model" train.csv "$STEPS" --group-by-length
done
engine base "$base" train-base.csv
trainer base "$base" train-base.csv "$BASE_STEPS"

rss=$(for t in "$work"/*.time; do echo "$(basename "$t" .time)=$(peak_rss_mib "$t")"; done)
"$BERT_STUDIO_PYTHON" - "$work" "$REPEATS" $rss <<'PY'
import json, statistics, sys
w, repeats = sys.argv[1], int(sys.argv[2])
peak = dict(arg.split("=") for arg in sys.argv[3:])
def engine(name):
    steps = [json.loads(l) for l in open(f"{w}/engine-{name}.jsonl") if '"event":"step"' in l]
    return steps[-1]["samples_per_second"], float(peak[f"engine-{name}"])
def torch(name):
    line = [l for l in open(f"{w}/torch-{name}.log") if l.startswith("RESULT ")][-1]
    return json.loads(line[7:])["train_samples_per_second"], float(peak[f"torch-{name}"])
def repeated(read, name):
    return [read(f"{name}-{run}") for run in range(1, repeats + 1)]
runs = {"engine, MiniLM": repeated(engine, "minilm"), "Trainer, MiniLM": repeated(torch, "minilm"),
        "Trainer group_by_length, MiniLM": repeated(torch, "minilm-grouped"),
        "engine, BERT-base size": [engine("base")], "Trainer, BERT-base size": [torch("base")]}
print(f"{'':<34} {'samples/s (each run)':>26} {'median':>8} {'peak RSS (MiB)':>15}")
r = {}
for name, measured in runs.items():
    speeds = [speed for speed, _ in measured]
    r[name] = (statistics.median(speeds), max(mem for _, mem in measured))
    each = ", ".join(f"{speed:.2f}" for speed in speeds)
    print(f"{name:<34} {each:>26} {r[name][0]:8.2f} {r[name][1]:15.0f}")
def ratio(a, b, what):
    print(f"{what:<50} speed {r[a][0] / r[b][0]:.2f}×  peak RSS {r[a][1] / r[b][1]:.2f}×")
ratio("engine, MiniLM", "Trainer, MiniLM", "engine / Trainer (MiniLM):")
ratio("engine, MiniLM", "Trainer group_by_length, MiniLM", "engine / Trainer group_by_length (MiniLM):")
ratio("engine, BERT-base size", "Trainer, BERT-base size", "engine / Trainer (BERT-base size):")
PY
