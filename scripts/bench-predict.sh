#!/usr/bin/env bash
# Classification speed, measured: the same texts (the NACE sample's, ROWS of them) classified by
# the engine (`bert-studio predict`: CSV in, CSV out) and by transformers'
# pipeline("text-classification", batch_size=32) on a list in memory, with the same model
# (all-MiniLM-L6-v2 with a 5-class head, from the test assets), both on this machine's CPU, one
# after the other. Model loading is not timed on either side. Prints texts/s of each, their
# ratio, and peak memory.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh" >/dev/null
ROWS="${ROWS:-2000}"
BATCH="${BATCH:-32}"
work="$BERT_STUDIO_CACHE/bench-predict"
model="$BERT_STUDIO_ASSETS/minilm-classifier"
mkdir -p "$work"
head -n "$((ROWS + 1))" "$REPO_ROOT/data/sample/nace_fr.csv" > "$work/texts.csv"

cd "$REPO_ROOT"
build_cli
say "engine: $ROWS texts"
/usr/bin/time -v -o "$work/engine.time" "$CARGO_TARGET_DIR/debug/bert-studio" predict --json \
  --model "$model" --input "$work/texts.csv" --output "$work/engine-out.csv" --text-column text \
  --batch-size "$BATCH" --device cpu > "$work/engine.jsonl"
say "transformers pipeline: $ROWS texts"
/usr/bin/time -v -o "$work/torch.time" "$BERT_STUDIO_PYTHON" - "$model" "$work/texts.csv" "$BATCH" \
  > "$work/torch.json" 2> "$work/torch.log" <<'PY'
import csv, json, sys, time
import torch
from transformers import pipeline
model, path, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, encoding="utf-8", newline="") as f:
    texts = [row["text"] for row in csv.DictReader(f)]
classify = pipeline("text-classification", model=model, device="cpu", truncation=True)
classify(texts[:8], batch_size=batch)  # warm-up, as the engine's first window is not special
start = time.perf_counter()
with torch.inference_mode():
    out = classify(texts, batch_size=batch)
seconds = time.perf_counter() - start
print(json.dumps({"texts": len(out), "seconds": seconds, "texts_per_second": len(out) / seconds,
                  "labels": [o["label"] for o in out]}))
PY

"$BERT_STUDIO_PYTHON" - "$work" "$(peak_rss_mib "$work/engine.time")" "$(peak_rss_mib "$work/torch.time")" "$BATCH" <<'PY'
import csv, json, sys
w, engine_rss, torch_rss, batch = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
events = [json.loads(l) for l in open(f"{w}/engine.jsonl")]
finished = [e for e in events if e.get("event") == "finished"][-1]
torch = json.load(open(f"{w}/torch.json"))
with open(f"{w}/engine-out.csv", encoding="utf-8", newline="") as f:
    engine_labels = [row["predicted_label"] for row in csv.DictReader(f)]
same = sum(a == b for a, b in zip(engine_labels, torch["labels"]))
print(f"{'':<22} {'texts/s':>9} {'peak RSS (MiB)':>15}")
print(f"{'engine (CSV to CSV)':<22} {finished['rows_per_second']:9.1f} {engine_rss:15.0f}")
print(f"{'transformers pipeline':<22} {torch['texts_per_second']:9.1f} {torch_rss:15.0f}")
print(f"ratio engine/pipeline: {finished['rows_per_second'] / torch['texts_per_second']:.2f}")
print(f"same predicted label on {same} of {len(engine_labels)} texts")
print(f"engine: padding was {100 * finished['padding_share']:.1f}% of the positions computed "
      f"(texts sorted by length in windows of 2048, batches of at most {batch} × 32 tokens)")
PY
