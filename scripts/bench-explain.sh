#!/usr/bin/env bash
# Explanation speed, measured: integrated gradients (32 Gauss-Legendre steps, the class the
# model gives) for the first TEXTS sample texts of 25 to 35 tokens, by the engine
# (`bert-studio explain`, the time it reports with the model loaded) and by Captum's
# LayerIntegratedGradients on the same model (all-MiniLM-L6-v2 with a 5-class head, from the
# test assets), both on this machine's CPU. Each engine figure is its process's first and only
# explanation; Captum's come one after the other in one process (warm after the first). Prints the median seconds per text of each, their
# ratio, and the largest difference between their word sums.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh" >/dev/null
TEXTS="${TEXTS:-10}"
work="$BERT_STUDIO_CACHE/bench-explain"
model="$BERT_STUDIO_ASSETS/minilm-classifier"
mkdir -p "$work"

cd "$REPO_ROOT"
build_cli
"$BERT_STUDIO_PYTHON" - "$model" "$REPO_ROOT/data/sample/nace_fr.csv" "$TEXTS" > "$work/texts.json" <<'PY'
import csv, json, sys
from transformers import AutoTokenizer
model, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
tokenizer = AutoTokenizer.from_pretrained(model)
with open(path, encoding="utf-8", newline="") as f:
    texts = [row["text"] for row in csv.DictReader(f)]
chosen = [t for t in texts if 25 <= len(tokenizer(t)["input_ids"]) <= 35][:count]
print(json.dumps(chosen, ensure_ascii=False))
PY

say "engine: $TEXTS texts"
: > "$work/engine.jsonl"
"$BERT_STUDIO_PYTHON" -c 'import json,sys; [print(t) for t in json.load(open(sys.argv[1]))]' "$work/texts.json" |
  while IFS= read -r text; do
    "$CARGO_TARGET_DIR/debug/bert-studio" explain --json --device cpu --model "$model" --text "$text" >> "$work/engine.jsonl"
  done

say "Captum: $TEXTS texts"
"$BERT_STUDIO_PYTHON" - "$model" "$work" <<'PY'
import json, statistics, sys, time
import torch
from captum.attr import LayerIntegratedGradients
from transformers import AutoModelForSequenceClassification, AutoTokenizer
model_dir, work = sys.argv[1], sys.argv[2]
torch.set_num_threads(torch.get_num_threads())
tokenizer = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
forward = lambda ids: model(input_ids=ids).logits
lig = LayerIntegratedGradients(forward, model.base_model.embeddings)
texts = json.load(open(f"{work}/texts.json"))
engine = [json.loads(l) for l in open(f"{work}/engine.jsonl")]
times, gaps = [], []
for i, (text, e) in enumerate(zip(texts, engine)):
    enc = tokenizer(text, return_special_tokens_mask=True)
    ids = torch.tensor([enc["input_ids"]])
    special = torch.tensor(enc["special_tokens_mask"]).bool()
    baseline = torch.where(special, ids[0], torch.tensor(tokenizer.pad_token_id)).unsqueeze(0)
    with torch.no_grad():
        target = int(forward(ids)[0].argmax())
    start = time.perf_counter()
    attributions = lig.attribute(ids, baselines=baseline, target=target, n_steps=32, method="gausslegendre")
    times.append(time.perf_counter() - start)
    engine_sum = sum(w["contribution"] for w in e["words"] if w["contribution"] is not None)
    gaps.append(abs(engine_sum - float(attributions.sum())))
ours = statistics.median(e["seconds"] for e in engine)
theirs = statistics.median(times)
print(f"{'':<24} {'median s/text':>14}")
print(f"{'engine explain':<24} {ours:14.3f}")
print(f"{'Captum (PyTorch)':<24} {theirs:14.3f}")
print(f"ratio Captum/engine time: {theirs / ours:.2f} (above 1: the engine is faster)")
print(f"target: under 1 s per 30-token text: {'met' if ours < 1 else 'NOT met'}")
print(f"largest difference of the words' sums: {max(gaps):.2e} ({len(texts)} texts, 25-35 tokens)")
PY
