#!/usr/bin/env bash
# The GPU check, for a lent NVIDIA machine (no Rust toolchain and no network there, PyTorch and
# transformers installed). Prepare here, from the repository root:
#   scripts/gpu-check.sh --prepare
# which builds the CLI and the parity and gradient tests with `--features cuda`, strips and
# compresses them into .gpu/ (git-ignored; the carry limit is 64 MiB), with the tokenizer of
# all-MiniLM-L6-v2 (no weights: the models are made from configs there) and, in .gl/, the Vulkan
# loader's packages for the wgpu row. Then run there, from the repository root, carrying .gpu
# and .gl, in under 8 minutes:
#   bash scripts/gpu-check.sh
# It prints:
#   1. CUDA parity with transformers and PyTorch's gradients, exact route (1e-4) and fast route;
#   2. one training run's loss per epoch on CUDA beside the CPU's (same recipe and seed);
#   3. samples/s and peak GPU memory, engine vs the Trainer on the same card, for random models
#      of all-MiniLM-L6-v2's and BERT-base's sizes, f32 (TF32 products on both sides) and bf16,
#      every text 128 tokens, batch 64, one epoch; the steps after the first quarter are timed
#      (past kernel compilation and autotuning); engine/Trainer ratios; % of the card's bf16
#      peak (PEAK_TFLOPS, default 989: H100/H200 SXM dense);
#   4. the engine on wgpu (Vulkan) on the same card, MiniLM size f32, when a Vulkan driver answers.
set -uo pipefail
if [ "${1:-}" = "--prepare" ]; then
  set -e
  source "$(dirname "$0")/lib.sh"
  cd "$REPO_ROOT"
  "$REPO_ROOT/scripts/fetch-test-assets.sh" >/dev/null
  for d in /.gpu/ /.gl/; do grep -qx "$d" .git/info/exclude 2>/dev/null || echo "$d" >> .git/info/exclude; done
  mkdir -p .gpu .gl
  rm -rf .gpu/*
  for t in parity gradients; do
    cargo test --quiet --locked -p bert-studio-engine --features cuda --test "$t" --no-run 2>/dev/null
    strip -s -o ".gpu/$t" "$(ls -t "$CARGO_TARGET_DIR"/debug/deps/"$t"-* | grep -v '\.d$' | head -1)"
  done
  cargo build --quiet --locked -p bert-studio-cli --features cuda --bin bert-studio
  strip -s -o .gpu/bert-studio "$CARGO_TARGET_DIR/debug/bert-studio"
  xz -T2 -6 .gpu/parity .gpu/gradients .gpu/bert-studio
  mkdir -p .gpu/like
  for f in config.json tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt; do
    cp "$BERT_STUDIO_ASSETS/all-MiniLM-L6-v2/$f" .gpu/like/
  done
  # The Vulkan loader (the device's README): unpacked over / there, for the wgpu row.
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  # shellcheck disable=SC2086
  (apt-get $o update -qq && cd .gl && apt-get $o download -qq libvulkan1) >/dev/null 2>&1 ||
    echo "no Vulkan loader packages: the wgpu row will be skipped"
  du -sh .gpu .gl
  exit 0
fi

# ---- on the GPU machine -------------------------------------------------------------------
started=$SECONDS
root="$(pwd)"
for f in .gpu/*.xz; do
  python3 -c 'import lzma, sys; open(sys.argv[1][:-3], "wb").write(lzma.open(sys.argv[1]).read())' "$f"
  chmod +x "${f%.xz}"
done
# The carried Vulkan loader, only where none is installed.
if ! ldconfig -p 2>/dev/null | grep -q libvulkan; then
  for f in .gl/*.deb; do [ -e "$f" ] && dpkg -x "$f" / ; done
  ldconfig 2>/dev/null
fi
# The tests find their fixtures through the path they were built at.
if [ ! -e /work/main/src-tauri ]; then mkdir -p /work && ln -sfn "$root" /work/main; fi
export BERT_STUDIO_CACHE=/tmp/bert-studio-cache XDG_CACHE_HOME=/tmp/bert-studio-cache
mkdir -p "$BERT_STUDIO_CACHE"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
fixtures="$root/src-tauri/engine/tests/fixtures"

echo "== 1. CUDA parity (logits vs transformers, gradients vs PyTorch; exact route 1e-4, fast route printed)"
./.gpu/parity --test-threads 1 --nocapture cuda 2>&1 | grep -E "^test |test result|route|panicked|differs" | head -20
./.gpu/gradients --test-threads 1 cuda 2>&1 | grep -E "^test |test result|panicked|differs" | head -10

echo "== 2. loss per epoch, CUDA vs CPU (tiny fixture, same recipe and seed)"
head -1 data/sample/nace_fr.csv > /tmp/small.csv
grep -E ',(01|10|62)$' data/sample/nace_fr.csv >> /tmp/small.csv
for device in cuda cpu; do
  ./.gpu/bert-studio train --json --input /tmp/small.csv --output "/tmp/tiny-$device" --device "$device" \
    --precision exact --model "$fixtures/tiny-bert" --epochs 3 --max-seq-len 32 --learning-rate 2e-3 \
    --train-batch-size 8 --validation-fraction 0.2 > "/tmp/tiny-$device.jsonl" 2> "/tmp/tiny-$device.err" ||
    tail -3 "/tmp/tiny-$device.err"
done
python3 - <<'PY'
import json
def losses(device):
    try:
        return [e["train_loss"] for e in map(json.loads, open(f"/tmp/tiny-{device}.jsonl"))
                if e.get("event") == "epoch_finished"]
    except (OSError, ValueError, KeyError):
        return []
cuda, cpu = losses("cuda"), losses("cpu")
print(f"{'epoch':>5} {'CUDA loss':>12} {'CPU loss':>12} {'difference':>12}")
for i, (a, b) in enumerate(zip(cuda, cpu), 1):
    print(f"{i:>5} {a:12.6f} {b:12.6f} {abs(a - b):12.2e}")
if not cuda or len(cuda) != len(cpu):
    print(f"incomplete: CUDA {cuda}, CPU {cpu}")
PY

echo "== 3. throughput, engine vs Trainer on this card (texts of 128 tokens, batch 64, one epoch)"
ROWS="${ROWS:-3072}"
for size in minilm base; do
  python3 scripts/reference/hf_trainer.py base-size-model --like .gpu/like --out "/tmp/model-$size" --size "$size" 2>/dev/null
done
# Texts of at least 128 tokens: sample texts joined until long enough, the same rows for both.
python3 - "$ROWS" <<'PY'
import csv, random, sys
rows = list(csv.reader(open("data/sample/nace_fr.csv", encoding="utf-8", newline="")))[1:]
random.Random(0).shuffle(rows)
out = []
for i in range(int(sys.argv[1])):
    words, j = [], i
    while len(words) < 200:
        words += rows[j % len(rows)][0].split(); j += 7
    out.append([" ".join(words), rows[i % len(rows)][1]])
for name, part in [("long.csv", out), ("long-validation.csv", out[:64])]:
    with open(f"/tmp/{name}", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(["text", "label"]); w.writerows(part)
PY
peak_watch() { # file: the card's used memory every 100 ms until killed
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$1" 2>/dev/null &
  echo $!
}
baseline=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
for size in minilm base; do
  for precision in f32 bf16; do
    flags=(); tflags=(--tf32); [ "$precision" = bf16 ] && flags=(--bf16 true) && tflags=(--bf16)
    watch=$(peak_watch "/tmp/mem-engine-$size-$precision")
    timeout 150 ./.gpu/bert-studio train --json --input /tmp/long.csv --validation /tmp/long-validation.csv \
      --model "/tmp/model-$size" --output "/tmp/engine-$size-$precision" --device cuda --epochs 1 \
      --max-seq-len 128 --train-batch-size 64 --gradient-accumulation-steps 1 --eval-strategy no \
      "${flags[@]}" > "/tmp/engine-$size-$precision.jsonl" 2> "/tmp/engine-$size-$precision.err" ||
      { echo "engine $size $precision:"; tail -3 "/tmp/engine-$size-$precision.err"; }
    kill "$watch" 2>/dev/null
    watch=$(peak_watch "/tmp/mem-torch-$size-$precision")
    timeout 150 python3 scripts/reference/hf_trainer.py train --model "/tmp/model-$size" --train /tmp/long.csv \
      --validation /tmp/long-validation.csv --out "/tmp/torch-$size-$precision" --max-len 128 --epochs 1 \
      --max-steps $(( ROWS / 64 )) --device cuda --batch-size 64 --grad-accum 1 --group-by-length \
      "${tflags[@]}" > "/tmp/torch-$size-$precision.log" 2>&1 ||
      { echo "Trainer $size $precision:"; tail -3 "/tmp/torch-$size-$precision.log"; }
    kill "$watch" 2>/dev/null
  done
  echo "   ($size done at $(( SECONDS - started )) s)"
done
python3 - "$baseline" "${PEAK_TFLOPS:-989}" <<'PY'
import json, sys
baseline, peak_tflops = float(sys.argv[1]), float(sys.argv[2])
sizes = {"minilm": ("MiniLM size", 384, 6), "base": ("BERT-base size", 768, 12)}
def flops_per_sample(hidden, layers, s=128):
    # 3 × the forward's multiply-adds × 2 (model/work.rs's count: projections, feed-forward, attention)
    return 6 * s * layers * (4 * hidden * hidden + 2 * hidden * 4 * hidden + 2 * s * hidden)
def peak_mib(name):
    try:
        return max(float(v) for v in open(f"/tmp/mem-{name}") if v.strip()) - baseline
    except (OSError, ValueError):
        return float("nan")
def engine(size, precision):
    try:
        steps = [e for e in map(json.loads, open(f"/tmp/engine-{size}-{precision}.jsonl")) if e.get("event") == "step"]
        # Time of each event = samples so far / the session's rate; the steady rate is the slope
        # after the first quarter.
        points = [(e["step"] * 64, e["step"] * 64 / e["samples_per_second"]) for e in steps if e["samples_per_second"] > 0]
        (n0, t0), (n1, t1) = points[len(points) // 4], points[-1]
        return (n1 - n0) / (t1 - t0)
    except (OSError, ValueError, IndexError, ZeroDivisionError, KeyError):
        return float("nan")
def torch(size, precision):
    try:
        line = [l for l in open(f"/tmp/torch-{size}-{precision}.log") if l.startswith("RESULT ")][-1]
        return json.loads(line[7:]).get("steady_samples_per_second", float("nan"))
    except (OSError, IndexError, ValueError):
        return float("nan")
print(f"{'model':<15} {'numbers':<12} {'engine samples/s':>17} {'Trainer samples/s':>18} {'ratio':>6} "
      f"{'engine peak MiB':>16} {'Trainer peak MiB':>17} {'engine % of bf16 peak':>22}")
for size, (name, hidden, layers) in sizes.items():
    for precision, label in [("f32", "f32 (TF32)"), ("bf16", "bf16")]:
        e, t = engine(size, precision), torch(size, precision)
        share = e * flops_per_sample(hidden, layers) / (peak_tflops * 1e12) * 100
        print(f"{name:<15} {label:<12} {e:17.1f} {t:18.1f} {e / t:6.2f} {peak_mib(f'engine-{size}-{precision}'):16.0f} "
              f"{peak_mib(f'torch-{size}-{precision}'):17.0f} {share:21.1f}%")
PY

echo "== 4. the engine on wgpu (Vulkan) on this card, MiniLM size, f32"
if ldconfig -p 2>/dev/null | grep -q libvulkan; then
  export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
  timeout 150 ./.gpu/bert-studio train --json --input /tmp/long.csv --validation /tmp/long-validation.csv \
    --model /tmp/model-minilm --output /tmp/wgpu-minilm --device wgpu --epochs 1 --max-seq-len 128 \
    --train-batch-size 64 --gradient-accumulation-steps 1 --eval-strategy no > /tmp/wgpu.jsonl 2> /tmp/wgpu.err ||
    tail -3 /tmp/wgpu.err
  python3 - <<'PY'
import json
steps = [e for e in map(json.loads, open("/tmp/wgpu.jsonl")) if e.get("event") == "step"]
rate = steps[-1]["samples_per_second"] if steps else None
print(f"wgpu (Vulkan), MiniLM size, f32: {rate:.1f} samples/s (whole run)" if rate else "wgpu: no steps")
PY
else
  echo "no Vulkan loader here: skipped (prepare carries it in .gl)"
fi
echo "== done in $(( SECONDS - started )) s"
