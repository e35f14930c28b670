#!/usr/bin/env python3
"""Reference word attributions for BERT Studio's explanations (tests/fixtures/explain.json).

  explain_reference.py --model DIR --out FILE
  (tests/fixtures/explain.json: --model .../fixtures/tiny-bert;
   tests/fixtures/explain_roberta.json: --model .../fixtures/families/tiny-roberta)

For a few of texts.json's texts, cut at 24 tokens: Captum's LayerIntegratedGradients on
the model's embeddings layer, `bert.embeddings` or `roberta.embeddings` (baseline: every token but [CLS]/[SEP] set to [PAD]; 32 Gauss-Legendre
steps; the class's logit), per token and its convergence delta; and occlusion per typed word
(each whitespace-separated word's tokens set to [PAD], the drop of the class's logit),
computed with transformers. Everything on the CPU in float32, eval mode.
"""
import argparse
import json
import re

import captum
import torch
import transformers
from captum.attr import LayerIntegratedGradients
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from reference import load_texts

MAX_LEN = 24
STEPS = 32
# (text index, class index or None for the model's own class)
CASES = [(0, None), (0, 0), (1, None), (6, 1), (11, None)]


def typed_words(text):
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    texts = load_texts()
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model)
    model.eval()

    def forward(ids):
        return model(input_ids=ids).logits

    lig = LayerIntegratedGradients(forward, model.base_model.embeddings)
    cases = []
    for index, wanted in CASES:
        text = texts[index]
        enc = tokenizer(text, truncation=True, max_length=MAX_LEN, return_offsets_mapping=True, return_special_tokens_mask=True)
        ids = torch.tensor([enc["input_ids"]])
        special = torch.tensor(enc["special_tokens_mask"]).bool()
        baseline = torch.where(special, ids[0], torch.tensor(tokenizer.pad_token_id)).unsqueeze(0)
        with torch.no_grad():
            logits = forward(torch.cat([ids, baseline]))
        target = int(logits[0].argmax()) if wanted is None else wanted
        attributions, delta = lig.attribute(
            ids, baselines=baseline, target=target, n_steps=STEPS, method="gausslegendre", return_convergence_delta=True
        )
        per_token = attributions.sum(-1)[0]

        # Occlusion per typed word: a token belongs to the word holding its first character.
        words = typed_words(text)
        word_of_token = [
            None if s else next((w for w, (a, b) in enumerate(words) if a <= start < b), None)
            for s, (start, _) in zip(enc["special_tokens_mask"], enc["offset_mapping"])
        ]
        rows = []
        for w in range(len(words)):
            rows.append([tokenizer.pad_token_id if word == w else t for t, word in zip(enc["input_ids"], word_of_token)])
        with torch.no_grad():
            occluded = forward(torch.tensor(rows))[:, target]
        occlusion = [
            float(logits[0, target] - occluded[w]) if w in word_of_token else None for w in range(len(words))
        ]
        cases.append({
            "text": index,
            "class": wanted,
            "target": target,
            "input_ids": enc["input_ids"],
            "token_attributions": per_token.tolist(),
            "convergence_delta": float(delta[0]),
            "logit": float(logits[0, target]),
            "baseline_logit": float(logits[1, target]),
            "words": [text[a:b] for a, b in words],
            "occlusion": occlusion,
        })
    out = {
        "generated_by": f"scripts/reference/explain_reference.py (captum {captum.__version__}, transformers {transformers.__version__}, torch {torch.__version__})",
        "max_seq_len": MAX_LEN,
        "steps": STEPS,
        "cases": cases,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
