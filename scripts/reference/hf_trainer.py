#!/usr/bin/env python3
"""The reference notebook's recipe with the Hugging Face Trainer, for the engine's quality
and speed comparisons (scripts/quality.sh, scripts/bench-train.sh).

  hf_trainer.py split --input CSV --out DIR [--fraction 0.05 --seed 42]
      stratified split (classes with one example stay in training), written as
      DIR/train.csv and DIR/validation.csv: both trainers then see the same split
  hf_trainer.py train --model DIR --train CSV --validation CSV --out DIR [--max-len 128]
                      [--max-steps N] [--epochs 4] [--group-by-length] [--seed 42]
                      [--device cpu|cuda] [--bf16] [--tf32] [--batch-size 16] [--grad-accum 2]
      fine-tunes with the notebook's TrainingArguments and prints a JSON summary (with the
      samples/s of the steps after the first quarter, past the warm-up)
  hf_trainer.py base-size-model --like DIR --out DIR [--size base|minilm]
      a random BERT of BERT-base's (or all-MiniLM-L6-v2's) size with DIR's tokenizer (speed
      comparisons at that size)
"""
import argparse
import csv
import json
import os
import time

import numpy as np


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def write(path, texts, labels):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "label"])
        w.writerows(zip(texts, labels))


def split(args):
    from collections import Counter
    from sklearn.model_selection import train_test_split

    texts, labels = read(args.input)
    counts = Counter(labels)
    rows = list(range(len(texts)))
    splittable = [i for i in rows if counts[labels[i]] >= 2]
    lone = [i for i in rows if counts[labels[i]] < 2]
    train_rows, val_rows = train_test_split(
        splittable, test_size=args.fraction, random_state=args.seed, stratify=[labels[i] for i in splittable]
    )
    train_rows = sorted(train_rows + lone)
    os.makedirs(args.out, exist_ok=True)
    write(os.path.join(args.out, "train.csv"), [texts[i] for i in train_rows], [labels[i] for i in train_rows])
    write(os.path.join(args.out, "validation.csv"), [texts[i] for i in sorted(val_rows)], [labels[i] for i in sorted(val_rows)])
    print(json.dumps({"train": len(train_rows), "validation": len(val_rows), "lone_classes": len(lone)}))


def train(args):
    import torch
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, top_k_accuracy_score
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                              Trainer, TrainingArguments, set_seed)

    from transformers import TrainerCallback

    torch.set_num_threads(os.cpu_count() or 1)
    set_seed(args.seed)
    on_gpu = args.device == "cuda"

    class StepTimes(TrainerCallback):
        """When each optimizer step ended (the GPU synchronised), for the steady speed."""
        times = []

        def on_step_end(self, _args, state, _control, **_kwargs):
            if on_gpu:
                torch.cuda.synchronize()
            self.times.append((state.global_step, time.time()))
    train_texts, train_labels = read(args.train)
    val_texts, val_labels = read(args.validation)
    names = sorted(set(train_labels))  # LabelEncoder order
    label2id = {n: i for i, n in enumerate(names)}
    keep = [i for i, l in enumerate(val_labels) if l in label2id]
    val_texts, val_labels = [val_texts[i] for i in keep], [val_labels[i] for i in keep]

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(
        args.model, num_labels=len(names), id2label=dict(enumerate(names)), label2id=label2id
    )

    class Data(torch.utils.data.Dataset):
        def __init__(self, texts, labels):
            self.enc = tokenizer(texts, truncation=True, max_length=args.max_len)
            self.labels = [label2id[l] for l in labels]

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            item = {k: v[i] for k, v in self.enc.items()}
            item["labels"] = self.labels[i]
            return item

    def compute_metrics(pred):
        logits, y = pred
        p = logits.argmax(-1)
        all_labels = list(range(len(names)))
        return {
            "accuracy": accuracy_score(y, p),
            "f1_macro": f1_score(y, p, average="macro", zero_division=0),
            "precision_macro": precision_score(y, p, average="macro", zero_division=0),
            "recall_macro": recall_score(y, p, average="macro", zero_division=0),
            "top1": top_k_accuracy_score(y, logits, k=1, labels=all_labels),
            "top2": top_k_accuracy_score(y, logits, k=2, labels=all_labels),
        }

    evaluate = args.max_steps <= 0
    training_args = TrainingArguments(
        output_dir=args.out,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps if args.max_steps > 0 else -1,
        learning_rate=5e-5,
        lr_scheduler_type="linear",
        per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=32,
        gradient_accumulation_steps=args.grad_accum,
        weight_decay=0.01,
        warmup_steps=0.1,  # a ratio when below 1 (transformers 5 folded warmup_ratio into it)
        eval_strategy="epoch" if evaluate else "no",
        logging_strategy="epoch",
        save_strategy="no",
        fp16=False,
        bf16=args.bf16,
        tf32=args.tf32 if on_gpu else None,
        load_best_model_at_end=False,
        report_to=[],
        log_level="warning",
        seed=args.seed,
        use_cpu=not on_gpu,
        disable_tqdm=True,
        train_sampling_strategy="group_by_length" if args.group_by_length else "random",
    )
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=Data(train_texts, train_labels),
        eval_dataset=Data(val_texts, val_labels),
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=compute_metrics,
        callbacks=[StepTimes()],
    )
    if on_gpu:
        torch.cuda.reset_peak_memory_stats()
    started = time.time()
    out = trainer.train()
    summary = {
        "train_runtime": out.metrics["train_runtime"],
        "train_samples_per_second": out.metrics["train_samples_per_second"],
        "wall_seconds": time.time() - started,
        "steps": out.global_step,
    }
    times = StepTimes.times
    if len(times) >= 4:
        (s0, t0), (s1, t1) = times[len(times) // 4], times[-1]
        per_step = args.batch_size * args.grad_accum
        summary["steady_samples_per_second"] = (s1 - s0) * per_step / (t1 - t0)
    if on_gpu:
        summary["peak_allocated_mib"] = torch.cuda.max_memory_allocated() / 2**20
    if evaluate:
        summary["eval"] = trainer.evaluate()
    print("RESULT " + json.dumps(summary))


def base_size_model(args):
    """A randomly initialised BERT of BERT-base's size (12 layers, hidden 768: the size of the
    notebook's bert-base-multilingual-uncased) with the vocabulary and tokenizer of --like, made
    by transformers' own config class, to time both engines at that size."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    torch.manual_seed(0)
    like = BertConfig.from_pretrained(args.like)
    hidden, layers = {"base": (768, 12), "minilm": (384, 6)}[args.size]
    config = BertConfig(vocab_size=like.vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=12, intermediate_size=4 * hidden, max_position_embeddings=512)
    BertModel(config).save_pretrained(args.out)
    AutoTokenizer.from_pretrained(args.like).save_pretrained(args.out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("split")
    p.add_argument("--input", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--fraction", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=42)
    p = sub.add_parser("train")
    p.add_argument("--model", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--validation", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--max-len", type=int, default=128)
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--epochs", type=float, default=4)
    p.add_argument("--seed", type=int, default=42, help="the notebook's 42; others show run-to-run spread")
    p.add_argument("--group-by-length", action="store_true",
                   help="the Trainer's train_sampling_strategy='group_by_length'")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--bf16", action="store_true", help="the Trainer's bf16=True (GPU)")
    p.add_argument("--tf32", action="store_true", help="TF32 matmuls on NVIDIA cards")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--grad-accum", type=int, default=2)
    p = sub.add_parser("base-size-model")
    p.add_argument("--like", required=True, help="a BERT folder whose tokenizer and vocabulary are used")
    p.add_argument("--out", required=True)
    p.add_argument("--size", choices=["base", "minilm"], default="base")
    args = parser.parse_args()
    {"split": split, "train": train, "base-size-model": base_size_model}[args.command](args)


if __name__ == "__main__":
    main()
