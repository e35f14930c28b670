#!/usr/bin/env python3
"""Reference for BERT Studio's `predict` and `evaluate`: what the notebook's last step gives.

  evaluate --model DIR --csv FILE --text-column C --label-column L --out FILE

Reads the CSV with Python's csv module (delimiter sniffed among , ; tab |), skips rows with an
empty text or label as the engine does, classifies the texts with transformers'
pipeline("text-classification", top_k=None) (probabilities of every label, truncation at the
model's position limit), then computes the notebook's six metrics with scikit-learn on the
predictions. Labels the model does not know count as errors (scikit-learn's union of labels).
Writes one JSON file: per-row probabilities, predictions and every metric.
"""
import argparse
import csv
import json

import numpy as np
import sklearn
import torch
import transformers
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score,
                             precision_recall_fscore_support, precision_score, recall_score)
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline


def read_rows(path, text_column, label_column):
    with open(path, encoding="utf-8-sig", newline="") as f:
        sample = f.read(65536)
        f.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        reader = csv.DictReader(f, dialect=dialect)
        return [(row[text_column].strip(), row[label_column].strip()) for row in reader]


def evaluate(args):
    rows = read_rows(args.csv, args.text_column, args.label_column)
    kept = [(t, l) for t, l in rows if t and l]
    model = AutoModelForSequenceClassification.from_pretrained(args.model).eval()
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    max_len = min(model.config.max_position_embeddings, tokenizer.model_max_length)
    classify = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu",
                        top_k=None, truncation=True, max_length=max_len, batch_size=4)
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    with torch.no_grad():
        outputs = classify([t for t, _ in kept])
    probs = np.array([[{o["label"]: o["score"] for o in out}[l] for l in labels] for out in outputs])
    y_true = [l for _, l in kept]
    y_pred = [labels[i] for i in probs.argmax(axis=1)]
    unseen = []
    for l in y_true:
        if l not in labels and l not in unseen:
            unseen.append(l)
    all_labels = labels + unseen
    ranks = [int((p > p[labels.index(t)]).sum()) if t in labels else None for p, t in zip(probs, y_true)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=all_labels, zero_division=0)
    known = [i for i, t in enumerate(y_true) if t in labels]
    loss = float(np.mean([-np.log(probs[i][labels.index(y_true[i])]) for i in known]))
    result = {
        "generated_by": f"inference_reference.py evaluate (transformers {transformers.__version__}, "
                        f"scikit-learn {sklearn.__version__})",
        "labels": all_labels,
        "rows_read": len(rows),
        "evaluated_rows": len(kept),
        "texts": [t for t, _ in kept],
        "probabilities": probs.tolist(),
        "predicted": y_pred,
        "loss": loss,
        "accuracy": accuracy_score(y_true, y_pred),
        "macro_f1": f1_score(y_true, y_pred, average="macro", zero_division=0),
        "macro_precision": precision_score(y_true, y_pred, average="macro", zero_division=0),
        "macro_recall": recall_score(y_true, y_pred, average="macro", zero_division=0),
        "top1_accuracy": float(np.mean([r_ is not None and r_ < 1 for r_ in ranks])),
        "top2_accuracy": float(np.mean([r_ is not None and r_ < 2 for r_ in ranks])),
        "per_class_precision": p.tolist(),
        "per_class_recall": r.tolist(),
        "per_class_f1": f.tolist(),
        "per_class_support": s.tolist(),
        "confusion": confusion_matrix(y_true, y_pred, labels=all_labels).tolist(),
    }
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1, ensure_ascii=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("evaluate")
    p.add_argument("--model", required=True)
    p.add_argument("--csv", required=True)
    p.add_argument("--text-column", default="text")
    p.add_argument("--label-column", default="label")
    p.add_argument("--out", required=True)
    args = parser.parse_args()
    evaluate(args)


if __name__ == "__main__":
    main()
