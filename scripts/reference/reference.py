#!/usr/bin/env python3
"""Reference outputs from Hugging Face transformers (PyTorch), for BERT Studio's parity tests.

Sub-commands:
  tiny-fixture --out DIR     build the committed tiny random BERT fixture and its reference
                             logits (DIR/tiny-bert, DIR/tiny-bert-pytorch, DIR/reference.json)
  minilm --model SRC --out DIR
                             all-MiniLM-L6-v2 with a seeded 5-class head, saved as a
                             classification folder, plus reference pooled outputs and logits
  schedules --out FILE       learning rates of transformers' schedulers, step by step
  metrics --out FILE         scikit-learn metrics of random predictions (fixture for the engine)
  splits --out FILE          per-class validation counts of scikit-learn's stratified split
  steps --out FILE           the Trainer's own step counts (micro-batches and optimizer steps
                             per epoch, max_steps, warm-up steps) for several data sizes and
                             recipes
  gradients --model DIR --out FILE
                             the gradient of every parameter after one training step's
                             backward pass (mean cross-entropy, batch of the reference texts,
                             labels i mod 3, max 24 tokens, dropout off) as safetensors under
                             the Hugging Face names
  logits --model DIR --texts FILE --max-len N
                             load a folder (e.g. one saved by the engine) with
                             AutoModelForSequenceClassification and pipeline("text-classification")
                             and print its logits as JSON

Everything runs on the CPU in float32, in eval mode (no dropout).
"""
import argparse
import csv
import json
import math
import os
import pathlib
import shutil
import sys

import torch
import transformers
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    BertTokenizerFast,
    pipeline,
)

HERE = os.path.dirname(os.path.abspath(__file__))
TEXTS_FILE = os.path.join(HERE, "texts.json")
REPO = pathlib.Path(HERE).parents[1]


def load_texts(path=TEXTS_FILE):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@torch.no_grad()
def outputs(model, tokenizer, texts, max_len):
    """input_ids, pooled output and logits of each text, one text at a time (no padding)."""
    model.eval()
    rows = []
    for text in texts:
        enc = tokenizer(text, truncation=True, max_length=max_len, return_tensors="pt")
        out = model.bert(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        logits = model.classifier(out.pooler_output)
        rows.append(
            {
                "input_ids": enc["input_ids"][0].tolist(),
                "pooled": out.pooler_output[0].tolist(),
                "logits": logits[0].tolist(),
            }
        )
    return rows


@torch.no_grad()
def batched_logits(model, tokenizer, texts, max_len):
    """Logits with the whole list in one padded batch: checks that padding is masked."""
    model.eval()
    enc = tokenizer(texts, truncation=True, max_length=max_len, padding=True, return_tensors="pt")
    return model(**enc).logits.tolist()


def tiny_fixture(out_dir):
    from tokenizers import BertWordPieceTokenizer

    texts = load_texts()
    torch.manual_seed(0)
    corpus = texts + [
        "Culture et élevage associés, activités de soutien à l'agriculture",
        "Industrie manufacturière, construction, commerce, transports et entreposage",
        "Hébergement et restauration, information et communication, activités financières",
    ]
    wordpiece = BertWordPieceTokenizer(lowercase=True, strip_accents=None)
    wordpiece.train_from_iterator(corpus, vocab_size=400, min_frequency=1, limit_alphabet=200)
    tmp = os.path.join(out_dir, "_vocab")
    os.makedirs(tmp, exist_ok=True)
    wordpiece.save_model(tmp)
    tokenizer = BertTokenizerFast.from_pretrained(tmp, do_lower_case=True)

    labels = ["Agriculture", "Industrie", "Services"]
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        # Ten times the usual spread, so attention is far from uniform and masking errors show.
        initializer_range=0.2,
        id2label=dict(enumerate(labels)),
        label2id={l: i for i, l in enumerate(labels)},
    )
    model = BertForSequenceClassification(config)
    # Random init leaves LayerNorms at 1/0 and biases at 0; perturb them so that a loader that
    # skipped or swapped them would be caught.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or name.endswith("bias"):
                p.add_(0.1 * torch.randn_like(p))
    model.eval()

    safetensors_dir = os.path.join(out_dir, "tiny-bert")
    model.save_pretrained(safetensors_dir)
    tokenizer.save_pretrained(safetensors_dir)

    # The same weights as an old-style folder: pytorch_model.bin and vocab.txt only.
    bin_dir = os.path.join(out_dir, "tiny-bert-pytorch")
    os.makedirs(bin_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(bin_dir, "pytorch_model.bin"))
    config.save_pretrained(bin_dir)
    shutil.copy(os.path.join(tmp, "vocab.txt"), bin_dir)
    with open(os.path.join(bin_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"do_lower_case": True, "strip_accents": None, "tokenize_chinese_chars": True}, f)
    shutil.rmtree(tmp)

    max_len = 24
    reference = {
        "generated_by": f"scripts/reference/reference.py tiny-fixture (transformers {transformers.__version__}, torch {torch.__version__})",
        "max_seq_len": max_len,
        "texts": texts,
        "per_text": outputs(model, tokenizer, texts, max_len),
        "batched_logits": batched_logits(model, tokenizer, texts, max_len),
    }
    with open(os.path.join(out_dir, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, ensure_ascii=False, indent=1)


def minilm(src, out_dir):
    texts = load_texts()
    labels = ["A", "C", "G", "J", "P"]
    torch.manual_seed(42)
    model = AutoModelForSequenceClassification.from_pretrained(
        src, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)}
    )
    tokenizer = AutoTokenizer.from_pretrained(src)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    max_len = 128
    reference = {
        "generated_by": f"scripts/reference/reference.py minilm (transformers {transformers.__version__}, torch {torch.__version__})",
        "max_seq_len": max_len,
        "texts": texts,
        "per_text": outputs(model, tokenizer, texts, max_len),
        "batched_logits": batched_logits(model, tokenizer, texts, max_len),
    }
    with open(os.path.join(out_dir, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, ensure_ascii=False, indent=1)


def logits(model_dir, texts_file, max_len):
    texts = load_texts(texts_file)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    classify = pipeline("text-classification", model=model_dir, device="cpu")
    predictions = classify(texts, truncation=True, max_length=max_len)
    json.dump(
        {
            "architectures": model.config.architectures,
            "id2label": {str(k): v for k, v in model.config.id2label.items()},
            "logits": batched_logits(model, tokenizer, texts, max_len),
            "pipeline": predictions,
        },
        sys.stdout,
        ensure_ascii=False,
    )


def schedules(out):
    from transformers import get_scheduler

    total, ratio, base = 57, 0.1, 5e-5
    warmup = math.ceil(total * ratio)
    result = {"generated_by": f"reference.py schedules (transformers {transformers.__version__})",
              "base_lr": base, "total_steps": total, "warmup_steps": warmup, "learning_rates": {}}
    for name in ["linear", "constant", "constant_with_warmup", "cosine"]:
        param = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.AdamW([param], lr=base)
        scheduler = get_scheduler(name, optimizer, num_warmup_steps=warmup, num_training_steps=total)
        rates = []
        for _ in range(total):
            rates.append(optimizer.param_groups[0]["lr"])  # the rate this optimizer step uses
            optimizer.step()
            scheduler.step()
        result["learning_rates"][name] = rates
    with open(out, "w") as f:
        json.dump(result, f, indent=1)


def metrics(out):
    import numpy as np
    import sklearn
    from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support,
                                 precision_score, recall_score, top_k_accuracy_score)

    rng = np.random.default_rng(0)
    k, n = 7, 200
    # Class 5 never occurs in the truth (but may be predicted); class 6 is neither true nor
    # likely predicted: both exercise zero_division and the macro label set.
    y_true = rng.choice([0, 1, 2, 3, 4], size=n, p=[0.4, 0.25, 0.2, 0.1, 0.05])
    scores = rng.normal(size=(n, k))
    scores[np.arange(n), y_true] += rng.normal(1.0, 1.0, size=n)  # mostly right
    scores[:, 6] -= 10.0
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    y_pred = probs.argmax(axis=1)
    labels = list(range(k))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    result = {
        "generated_by": f"reference.py metrics (scikit-learn {sklearn.__version__})",
        "labels": [f"class_{i}" for i in labels],
        "y_true": y_true.tolist(),
        "probs": probs.astype(np.float32).tolist(),
        "accuracy": accuracy_score(y_true, y_pred),
        "macro_f1": f1_score(y_true, y_pred, average="macro", zero_division=0),
        "macro_precision": precision_score(y_true, y_pred, average="macro", zero_division=0),
        "macro_recall": recall_score(y_true, y_pred, average="macro", zero_division=0),
        "top1_accuracy": top_k_accuracy_score(y_true, probs, k=1, labels=labels),
        "top2_accuracy": top_k_accuracy_score(y_true, probs, k=2, labels=labels),
        "per_class_precision": p.tolist(),
        "per_class_recall": r.tolist(),
        "per_class_f1": f.tolist(),
        "per_class_support": s.tolist(),
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }
    with open(out, "w") as f_out:
        json.dump(result, f_out, indent=1)


def splits(out):
    """Per-class validation counts of scikit-learn's stratified split, for the engine's to match.

    For each case (class sizes, validation share), StratifiedShuffleSplit (what
    train_test_split(stratify=...) runs) over 200 seeds: every per-class count vector it
    produced. Ties between classes are broken at random, so some cases have several.
    """
    import numpy as np
    import sklearn
    from sklearn.model_selection import StratifiedShuffleSplit

    nace = {}
    with open(REPO / "data/sample/nace_fr.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            nace[row["label"]] = nace.get(row["label"], 0) + 1
    # Classes of one row cannot be split (scikit-learn refuses them; the engine trains on them).
    nace_counts = sorted((n for n in nace.values() if n >= 2), reverse=True)
    cases = [
        ([50, 30, 20], 0.2),
        ([5, 5, 2], 0.25),
        ([7, 3, 3, 2], 0.3),
        ([40, 25, 10, 4, 3, 2], 0.15),
        ([11, 11, 11, 11], 0.3),
        (nace_counts, 0.05),
        (nace_counts, 0.2),
    ]
    result = {"generated_by": f"reference.py splits (scikit-learn {sklearn.__version__})", "cases": []}
    for counts, fraction in cases:
        y = np.repeat(np.arange(len(counts)), counts)
        seen = set()
        for seed in range(200):
            split = StratifiedShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
            _, test = next(split.split(np.zeros(len(y)), y))
            seen.add(tuple(np.bincount(y[test], minlength=len(counts)).tolist()))
        result["cases"].append({"class_counts": counts, "fraction": fraction,
                                "validation_counts_seen": sorted(list(v) for v in seen)})
    with open(out, "w") as f_out:
        json.dump(result, f_out, indent=1)


def steps(out):
    """The Trainer's own step counts: its train dataloader's length, then its
    set_initial_training_values and TrainingArguments.get_warmup_steps."""
    import tempfile
    from transformers import Trainer, TrainingArguments

    config = BertConfig(vocab_size=10, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=8, max_position_embeddings=8, num_labels=2)
    model = BertForSequenceClassification(config)
    cases = []
    # (rows, train batch, gradient accumulation, epochs, warm-up ratio)
    for rows, batch, accumulation, epochs, ratio in [
        (1, 16, 2, 4, 0.1), (15, 16, 2, 4, 0.1), (16, 16, 2, 4, 0.1), (33, 16, 2, 4, 0.1),
        (100, 16, 2, 4, 0.1), (1900, 16, 2, 4, 0.1), (1900, 8, 1, 3, 0.0), (1900, 32, 4, 1, 0.25),
        (97, 5, 3, 2, 0.06), (50, 50, 7, 10, 0.5), (3, 1, 8, 1, 0.9),
    ]:
        data = [{"input_ids": [1, 2], "labels": i % 2} for i in range(rows)]
        with tempfile.TemporaryDirectory() as tmp:
            args = TrainingArguments(output_dir=tmp, per_device_train_batch_size=batch,
                                     gradient_accumulation_steps=accumulation, num_train_epochs=epochs,
                                     warmup_steps=ratio, use_cpu=True, report_to=[])  # a ratio when below 1
            trainer = Trainer(model=model, args=args, train_dataset=data)
            loader = trainer.get_train_dataloader()
            (_, steps_per_epoch, _, _, _, micro_batches, max_steps) = trainer.set_initial_training_values(args, loader)
            cases.append({"rows": rows, "train_batch_size": batch, "gradient_accumulation_steps": accumulation,
                          "epochs": epochs, "warmup_ratio": ratio,
                          "micro_batches_per_epoch": micro_batches, "steps_per_epoch": steps_per_epoch,
                          "total_steps": max_steps, "warmup_steps": args.get_warmup_steps(max_steps)})
    with open(out, "w") as f:
        json.dump({"generated_by": f"reference.py steps (transformers {transformers.__version__})",
                   "cases": cases}, f, indent=1)


def gradients(model_dir, out_file):
    from safetensors.torch import save_file

    texts = load_texts()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    model.eval()  # dropout off: masks cannot be matched across engines
    enc = tokenizer(texts, truncation=True, max_length=24, padding=True, return_tensors="pt")
    labels = torch.tensor([i % model.config.num_labels for i in range(len(texts))])
    loss = model(**enc, labels=labels).loss
    loss.backward()
    grads = {name: p.grad.detach().contiguous() for name, p in model.named_parameters() if p.grad is not None}
    meta = {"loss": repr(loss.item()), "generated_by": f"scripts/reference/reference.py gradients (transformers {transformers.__version__}, torch {torch.__version__})"}
    save_file(grads, out_file, metadata=meta)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("tiny-fixture")
    p.add_argument("--out", required=True)
    p = sub.add_parser("minilm")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("schedules")
    p.add_argument("--out", required=True)
    p = sub.add_parser("metrics")
    p.add_argument("--out", required=True)
    p = sub.add_parser("splits")
    p.add_argument("--out", required=True)
    p = sub.add_parser("steps")
    p.add_argument("--out", required=True)
    p = sub.add_parser("gradients")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("logits")
    p.add_argument("--model", required=True)
    p.add_argument("--texts", default=TEXTS_FILE)
    p.add_argument("--max-len", type=int, default=128)
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    if args.command == "tiny-fixture":
        tiny_fixture(args.out)
    elif args.command == "minilm":
        minilm(args.model, args.out)
    elif args.command == "schedules":
        schedules(args.out)
    elif args.command == "metrics":
        metrics(args.out)
    elif args.command == "splits":
        splits(args.out)
    elif args.command == "steps":
        steps(args.out)
    elif args.command == "gradients":
        gradients(args.model, args.out)
    else:
        logits(args.model, args.texts, args.max_len)


if __name__ == "__main__":
    main()
