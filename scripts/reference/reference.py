#!/usr/bin/env python3
"""Reference outputs from Hugging Face transformers (PyTorch), for BERT Studio's parity tests.

Sub-commands:
  tiny-fixture --out DIR     build the committed tiny random BERT fixture and its reference
                             logits (DIR/tiny-bert, DIR/tiny-bert-pytorch, DIR/reference.json)
  family-fixtures --out DIR  tiny random classifiers of the other BERT families, each with its
                             own tokenizer, reference outputs and gradients
                             (DIR/tiny-{roberta,camembert,xlm-roberta,distilbert,electra})
  minilm --model SRC --out DIR
                             all-MiniLM-L6-v2 with a seeded 5-class head, saved as a
                             classification folder, plus reference pooled outputs and logits
  as-distilbert --model SRC --out DIR
                             a pretrained BERT (all-MiniLM-L6-v2) in DistilBERT's layout (its
                             token-type-0 row folded into the positions; names, keys and head of
                             DistilBERT), checked to give BertModel's hidden states: the real
                             pretrained checkpoint of a second architecture for scripts/quality.sh
  schedules --out FILE       learning rates of transformers' schedulers, step by step
  metrics --out FILE         scikit-learn metrics of random predictions (fixture for the engine)
  splits --out FILE          per-class validation counts of scikit-learn's stratified split
  steps --out FILE           the Trainer's own step counts (micro-batches and optimizer steps
                             per epoch, max_steps, warm-up steps) for several data sizes and
                             recipes
  class-weights --out FILE   scikit-learn's balanced class weights and PyTorch's weighted
                             cross-entropy (loss and its gradient) on fixed logits
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
import tempfile

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


# Extra lines the fixtures' tokenizers are trained on besides texts.json.
EXTRA_CORPUS = [
    "Culture et élevage associés, activités de soutien à l'agriculture",
    "Industrie manufacturière, construction, commerce, transports et entreposage",
    "Hébergement et restauration, information et communication, activités financières",
]


def load_texts(path=TEXTS_FILE):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def head_last_linear(model):
    """The classification head's last linear layer (BERT, DistilBERT: classifier; RoBERTa family,
    ELECTRA: classifier.out_proj)."""
    head = model.classifier
    return head.out_proj if hasattr(head, "out_proj") else head


@torch.no_grad()
def outputs(model, tokenizer, texts, max_len):
    """input_ids, pooled vector and logits of each text, one text at a time (no padding).

    "pooled" is what the head's last linear layer receives: BERT's pooler output,
    tanh(classifier.dense(h[:, 0])) for the RoBERTa family, gelu(...) for ELECTRA,
    relu(pre_classifier(h[:, 0])) for DistilBERT. A hook takes it from transformers' own forward
    pass rather than re-deriving each head here.
    """
    model.eval()
    captured = []
    hook = head_last_linear(model).register_forward_pre_hook(lambda _module, args: captured.append(args[0]))
    rows = []
    try:
        for text in texts:
            enc = tokenizer(text, truncation=True, max_length=max_len, return_tensors="pt")
            logits = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
            pooled = captured.pop()
            rows.append(
                {
                    "input_ids": enc["input_ids"][0].tolist(),
                    "pooled": pooled[0].tolist(),
                    "logits": logits[0].tolist(),
                }
            )
    finally:
        hook.remove()
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
    corpus = texts + EXTRA_CORPUS
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


FAMILY_LABELS = ["Agriculture", "Industrie", "Services"]
FAMILY_MAX_LEN = 24
FAMILY_SIZES = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)


def family_common(tokenizer):
    """Config fields every family shares."""
    return dict(
        vocab_size=len(tokenizer),
        pad_token_id=tokenizer.pad_token_id,
        # Ten times the usual spread, so attention is far from uniform and masking errors show.
        initializer_range=0.2,
        id2label=dict(enumerate(FAMILY_LABELS)),
        label2id={l: i for i, l in enumerate(FAMILY_LABELS)},
    )


def roberta_family_config(config_class, tokenizer):
    # Position ids start after padding_idx (the pad id), as in the real models' 514 = 512 + 2.
    # layer_norm_eps 1e-5 as in roberta-base, xlm-roberta-base and camembert-base (BERT's is 1e-12).
    config = config_class(max_position_embeddings=64 + tokenizer.pad_token_id + 1, type_vocab_size=1,
                          bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                          layer_norm_eps=1e-5, **FAMILY_SIZES, **family_common(tokenizer))
    assert config.max_position_embeddings >= FAMILY_MAX_LEN + config.pad_token_id + 1
    return config


def perturb_norms_and_biases(model):
    """Random init leaves LayerNorms at 1/0 and biases at 0; perturb them so that a loader that
    skipped or swapped them would be caught. Matched by module type, not name, because DistilBERT
    calls its norms sa_layer_norm / output_layer_norm."""
    norms = {id(p) for m in model.modules() if isinstance(m, torch.nn.LayerNorm) for p in m.parameters()}
    with torch.no_grad():
        for name, p in model.named_parameters():
            if id(p) in norms or name.endswith("bias"):
                p.add_(0.1 * torch.randn_like(p))


def train_wordpiece(corpus, work, lowercase, strip_accents):
    """A BERT vocab.txt in `work`. tokenizers' WordPiece trainer breaks ties in hash-map order, so
    the vocabulary differs slightly from run to run (as tiny-fixture's does)."""
    from tokenizers import BertWordPieceTokenizer

    wordpiece = BertWordPieceTokenizer(lowercase=lowercase, strip_accents=strip_accents)
    wordpiece.train_from_iterator(corpus, vocab_size=400, min_frequency=1, limit_alphabet=200)
    wordpiece.save_model(work)


def train_unigram(corpus, work, **normalization):
    """A SentencePiece Unigram model, saved as `work`/sentencepiece.bpe.model (the name the XLM-R and
    CamemBERT tokenizers look for). sentencepiece's default ids (unk 0, <s> 1, </s> 2, no pad) are the
    layout of the original fairseq models, which transformers' converters shift into place."""
    import io

    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=model,
        model_type="unigram",
        vocab_size=400,
        hard_vocab_limit=False,  # the corpus only supports about 190 pieces: take them rather than fail
        character_coverage=1.0,  # keep every accented letter rather than map rare ones to <unk>
        num_threads=1,  # deterministic
        minloglevel=2,
        **normalization,
    )
    with open(os.path.join(work, "sentencepiece.bpe.model"), "wb") as f:
        f.write(model.getvalue())


# Each family: (tokenizer, config) from the training corpus and a scratch folder. In transformers 5
# the *TokenizerFast names are aliases of the tokenizers-backed classes, and vocabulary files
# (vocab.txt, vocab.json + merges.txt, a SentencePiece model) are only converted by from_pretrained:
# the constructor given vocab_file alone would build a 5-token vocabulary.

def family_roberta(corpus, work):
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(corpus, vocab_size=400, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(work)
    tokenizer = RobertaTokenizerFast.from_pretrained(work)
    return tokenizer, roberta_family_config(RobertaConfig, tokenizer)


def family_camembert(corpus, work):
    from transformers import CamembertConfig, CamembertTokenizerFast

    # A small custom rule set rather than nmt_nfkc: its charsmap is 1 kB instead of 240 kB, and,
    # unlike NFKC, it changes characters that occur in texts.json ("—", "Œ"), so an engine that
    # ignored tokenizer.json's Precompiled normalizer would tokenise them differently.
    rules = os.path.join(work, "rules.tsv")
    with open(rules, "w", encoding="utf-8") as f:
        for source, target in [("Œ", "OE"), ("œ", "oe"), ("—", "-"), ("’", "'"), ("\u00a0", " ")]:
            f.write(" ".join(f"{ord(c):X}" for c in source) + "\t" + " ".join(f"{ord(c):X}" for c in target) + "\n")
    train_unigram(corpus, work, normalization_rule_tsv=rules)
    os.remove(rules)
    tokenizer = CamembertTokenizerFast.from_pretrained(work)
    return tokenizer, roberta_family_config(CamembertConfig, tokenizer)


def family_xlm_roberta(corpus, work):
    from transformers import XLMRobertaConfig, XLMRobertaTokenizerFast

    train_unigram(corpus, work, normalization_rule_name="nmt_nfkc")  # what the real XLM-R uses
    tokenizer = XLMRobertaTokenizerFast.from_pretrained(work)
    return tokenizer, roberta_family_config(XLMRobertaConfig, tokenizer)


def family_distilbert(corpus, work):
    from transformers import DistilBertConfig, DistilBertTokenizerFast

    # Cased, like distilbert-base-multilingual-cased (DistilBertTokenizer lower-cases by default).
    train_wordpiece(corpus, work, lowercase=False, strip_accents=None)
    tokenizer = DistilBertTokenizerFast.from_pretrained(work, do_lower_case=False)
    config = DistilBertConfig(dim=32, hidden_dim=64, n_layers=2, n_heads=4, max_position_embeddings=64,
                              sinusoidal_pos_embds=False, **family_common(tokenizer))
    return tokenizer, config


def family_electra(corpus, work):
    from transformers import ElectraConfig, ElectraTokenizerFast

    # Lower-cased but keeping accents: tiny-bert already covers lower-casing that strips them.
    train_wordpiece(corpus, work, lowercase=True, strip_accents=False)
    tokenizer = ElectraTokenizerFast.from_pretrained(work, do_lower_case=True, strip_accents=False)
    # embedding_size != hidden_size, so the model has electra.embeddings_project.
    config = ElectraConfig(embedding_size=16, max_position_embeddings=64, **FAMILY_SIZES, **family_common(tokenizer))
    return tokenizer, config


FAMILIES = {
    "roberta": family_roberta,
    "camembert": family_camembert,
    "xlm-roberta": family_xlm_roberta,
    "distilbert": family_distilbert,
    "electra": family_electra,
}


def check_family_folder(folder, reference):
    """Reload the saved folder the way users do and check it reproduces the reference. Within a
    tolerance: a reloaded model can take different float kernels (differences around 1e-7)."""
    texts, per_text = reference["texts"], reference["per_text"]
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    for row, ref in zip(outputs(model, tokenizer, texts, FAMILY_MAX_LEN), per_text):
        assert row["input_ids"] == ref["input_ids"], (folder, row["input_ids"], ref["input_ids"])
        assert torch.allclose(torch.tensor(row["pooled"]), torch.tensor(ref["pooled"]), atol=1e-5), folder
        assert torch.allclose(torch.tensor(row["logits"]), torch.tensor(ref["logits"]), atol=1e-5), folder
    batched = torch.tensor(batched_logits(model, tokenizer, texts, FAMILY_MAX_LEN))
    assert torch.allclose(batched, torch.tensor(reference["batched_logits"]), atol=1e-5), folder
    # Padding is masked: the padded batch gives each text's unpadded logits.
    assert torch.allclose(batched, torch.tensor([r["logits"] for r in per_text]), atol=1e-5), folder
    classify = pipeline("text-classification", model=folder, device="cpu")
    predictions = classify(texts, truncation=True, max_length=FAMILY_MAX_LEN, top_k=None)
    for prediction, ref in zip(predictions, per_text):
        probs = torch.softmax(torch.tensor(ref["logits"]), dim=-1)
        for p in prediction:
            assert abs(p["score"] - probs[model.config.label2id[p["label"]]].item()) < 1e-5, (folder, prediction)


def family_fixtures(out_dir):
    texts = load_texts()
    corpus = texts + EXTRA_CORPUS
    total = 0
    for seed, (name, build) in enumerate(FAMILIES.items(), start=1):
        folder = os.path.join(out_dir, f"tiny-{name}")
        shutil.rmtree(folder, ignore_errors=True)  # no stale files from an earlier layout
        with tempfile.TemporaryDirectory() as work:
            tokenizer, config = build(corpus, work)
            tokenizer.save_pretrained(folder)
        torch.manual_seed(seed)  # per model, so each fixture is reproducible on its own
        model = AutoModelForSequenceClassification.from_config(config)
        perturb_norms_and_biases(model)
        model.eval()
        model.save_pretrained(folder)

        per_text = outputs(model, tokenizer, texts, FAMILY_MAX_LEN)
        reference = {
            "generated_by": f"scripts/reference/reference.py family-fixtures (transformers {transformers.__version__}, torch {torch.__version__})",
            "max_seq_len": FAMILY_MAX_LEN,
            "texts": texts,
            "per_text": per_text,
            "batched_logits": batched_logits(model, tokenizer, texts, FAMILY_MAX_LEN),
        }
        with open(os.path.join(folder, "reference.json"), "w", encoding="utf-8") as f:
            json.dump(reference, f, ensure_ascii=False, indent=1)
        gradients(folder, os.path.join(folder, "gradients.safetensors"))

        # Truncation must be exercised, and French must survive tokenisation.
        assert any(len(r["input_ids"]) == FAMILY_MAX_LEN for r in per_text), name
        assert all(tokenizer.unk_token_id not in r["input_ids"] for r in per_text), (name, "<unk> in the texts")
        check_family_folder(folder, reference)

        size = sum(p.stat().st_size for p in pathlib.Path(folder).iterdir())
        total += size
        tokens = tokenizer.convert_ids_to_tokens(per_text[0]["input_ids"])[:8]
        print(f"tiny-{name}: {type(model).__name__}, vocab {len(tokenizer)}, {size / 1024:.0f} kB, {tokens}")
    print(f"total {total / 1024:.0f} kB")
    assert total < 2 * 1024 * 1024, "the family fixtures should stay under 2 MB"


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


def as_distilbert(src, out_dir):
    """No registry this project can reach ships a pretrained non-BERT checkpoint; DistilBERT's
    encoder is BERT's without token types, so a pretrained BERT maps onto it exactly."""
    from transformers import BertModel, DistilBertConfig, DistilBertModel

    bert = BertModel.from_pretrained(src, add_pooling_layer=False).eval()
    c = bert.config
    assert c.hidden_act == "gelu" and c.layer_norm_eps == 1e-12, "DistilBERT fixes both"
    config = DistilBertConfig(vocab_size=c.vocab_size, dim=c.hidden_size, hidden_dim=c.intermediate_size,
                              n_layers=c.num_hidden_layers, n_heads=c.num_attention_heads,
                              max_position_embeddings=c.max_position_embeddings, activation="gelu",
                              dropout=c.hidden_dropout_prob, attention_dropout=c.attention_probs_dropout_prob,
                              pad_token_id=c.pad_token_id)
    distil = DistilBertModel(config).eval()
    b = bert.state_dict()
    state = {
        "embeddings.word_embeddings.weight": b["embeddings.word_embeddings.weight"],
        # Every token has type 0: its row becomes part of every position's embedding.
        "embeddings.position_embeddings.weight": b["embeddings.position_embeddings.weight"]
        + b["embeddings.token_type_embeddings.weight"][0],
        "embeddings.LayerNorm.weight": b["embeddings.LayerNorm.weight"],
        "embeddings.LayerNorm.bias": b["embeddings.LayerNorm.bias"],
    }
    renames = {"attention.self.query": "attention.q_lin", "attention.self.key": "attention.k_lin",
               "attention.self.value": "attention.v_lin", "attention.output.dense": "attention.out_lin",
               "attention.output.LayerNorm": "sa_layer_norm", "intermediate.dense": "ffn.lin1",
               "output.dense": "ffn.lin2", "output.LayerNorm": "output_layer_norm"}
    for i in range(c.num_hidden_layers):
        for old, new in renames.items():
            for kind in ("weight", "bias"):
                state[f"transformer.layer.{i}.{new}.{kind}"] = b[f"encoder.layer.{i}.{old}.{kind}"]
    missing, unexpected = distil.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("position_ids") for k in missing), (missing, unexpected)

    tokenizer = AutoTokenizer.from_pretrained(src)
    enc = tokenizer(load_texts(), truncation=True, max_length=128, padding=True, return_tensors="pt")
    with torch.no_grad():
        want = bert(**enc).last_hidden_state
        got = distil(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
    real = enc["attention_mask"].bool()
    worst = (want - got)[real].abs().max().item()
    assert worst < 1e-4, f"the DistilBERT copy differs from the BERT by {worst}"
    distil.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    print(f"{out_dir}: DistilBERT with the weights of {src} (largest hidden-state difference {worst:.1e})")


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


def class_weights(out):
    """Imbalanced classes: scikit-learn's balanced weights, and PyTorch's weighted cross-entropy
    with its gradient on fixed logits."""
    import numpy as np
    import sklearn
    from sklearn.utils.class_weight import compute_class_weight

    rng = np.random.default_rng(3)
    k, n = 5, 60
    y = rng.choice(k, size=n, p=[0.55, 0.25, 0.12, 0.06, 0.02])
    y[:k] = np.arange(k)  # every class present at least once
    weights = compute_class_weight("balanced", classes=np.arange(k), y=y)
    logits = torch.tensor(rng.normal(size=(n, k)), dtype=torch.float32, requires_grad=True)
    loss = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))(logits, torch.tensor(y))
    loss.backward()
    with open(out, "w") as f:
        json.dump({"generated_by": f"reference.py class-weights (scikit-learn {sklearn.__version__}, torch {torch.__version__})",
                   "classes": k, "y": y.tolist(), "balanced_weights": weights.tolist(),
                   "logits": logits.detach().tolist(), "loss": loss.item(),
                   "logits_grad": logits.grad.tolist()}, f, indent=1)


def multi_label(out):
    """Multi-label data: PyTorch's BCEWithLogitsLoss (what transformers trains
    multi_label_classification with) and its gradient on fixed logits, and scikit-learn's
    label-indicator metrics of the sigmoid scores at two decision thresholds."""
    import numpy as np
    import sklearn
    from sklearn.metrics import (accuracy_score, f1_score, hamming_loss, precision_recall_fscore_support,
                                 precision_score, recall_score)

    rng = np.random.default_rng(11)
    k, n = 6, 150
    y = (rng.random(size=(n, k)) < [0.5, 0.3, 0.15, 0.05, 0.0, 0.0]).astype(np.int64)
    logits = rng.normal(size=(n, k)) + 2.0 * (y - 0.5) * rng.normal(1.0, 0.8, size=(n, k))
    logits[:, 4] += 0.8   # never true, sometimes predicted
    logits[:, 5] -= 12.0  # never true, never predicted: zero_division for the macro averages
    logits = logits.astype(np.float32)
    x = torch.tensor(logits, requires_grad=True)
    loss = torch.nn.BCEWithLogitsLoss()(x, torch.tensor(y, dtype=torch.float32))
    loss.backward()
    probs = torch.sigmoid(torch.tensor(logits)).numpy()
    order = np.argsort(-logits, axis=1, kind="stable")
    top1 = float(np.mean([y[i, order[i, 0]] == 1 for i in range(n)]))
    top2 = float(np.mean([y[i, order[i, :2]].any() for i in range(n)]))
    by_threshold = []
    for threshold in [0.5, 0.3]:
        pred = (probs >= threshold).astype(np.int64)
        p, r, f, s = precision_recall_fscore_support(y, pred, zero_division=0)
        by_threshold.append({
            "threshold": threshold,
            "subset_accuracy": accuracy_score(y, pred),
            "hamming_loss": hamming_loss(y, pred),
            **{f"{avg}_{name}": fn(y, pred, average=avg, zero_division=0)
               for avg in ["micro", "macro"]
               for name, fn in [("f1", f1_score), ("precision", precision_score), ("recall", recall_score)]},
            "per_label_precision": p.tolist(), "per_label_recall": r.tolist(),
            "per_label_f1": f.tolist(), "per_label_support": s.tolist(),
        })
    with open(out, "w") as f_out:
        json.dump({"generated_by": f"reference.py multi-label (scikit-learn {sklearn.__version__}, torch {torch.__version__})",
                   "labels": k, "y": y.tolist(), "logits": logits.tolist(), "loss": loss.item(),
                   "logits_grad": x.grad.tolist(), "top1": top1, "top2": top2,
                   "thresholds": by_threshold}, f_out, indent=1)


def early_stopping(out):
    """Where transformers' EarlyStoppingCallback stops a run, for sequences of validation scores:
    for each evaluation, the Trainer's callbacks' on_evaluate, then its own best-metric
    bookkeeping, in the order its _maybe_log_save_evaluate runs them."""
    import tempfile
    from transformers import EarlyStoppingCallback, Trainer, TrainingArguments

    config = BertConfig(vocab_size=10, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=8, max_position_embeddings=8, num_labels=2)
    model = BertForSequenceClassification(config)
    # (metric, scores, patience, threshold): plateaus, ties, gains below the threshold that add
    # up past it, a recovery just in time, a worse-then-better loss, and a run never stopped.
    inputs = [
        ("loss", [0.9, 0.8, 0.85, 0.79, 0.81, 0.82], 2, 0.0),
        ("loss", [0.9, 0.8, 0.79, 0.78, 0.77, 0.76], 2, 0.02),
        ("loss", [1.0, 1.1, 1.2, 0.5, 0.6, 0.7, 0.8], 3, 0.1),
        ("accuracy", [0.6, 0.6, 0.6, 0.6], 2, 0.0),
        ("macro_f1", [0.5, 0.54, 0.58, 0.62, 0.7], 3, 0.05),
        ("macro_f1", [0.3, 0.5, 0.4, 0.6, 0.55, 0.58, 0.59], 3, 0.0),
        ("macro_precision", [0.3, 0.31, 0.29, 0.45, 0.44], 1, 0.01),
        ("macro_recall", [0.2, 0.1, 0.3, 0.25], 1, 0.0),
        ("accuracy", [0.3, 0.4, 0.5, 0.45, 0.6, 0.55], 2, 0.0),
    ]
    cases = []
    for metric, scores, patience, threshold in inputs:
        with tempfile.TemporaryDirectory() as tmp:
            args = TrainingArguments(output_dir=tmp, eval_strategy="epoch", save_strategy="epoch",
                                     load_best_model_at_end=True, metric_for_best_model=metric,
                                     use_cpu=True, report_to=[])
            callback = EarlyStoppingCallback(early_stopping_patience=patience,
                                             early_stopping_threshold=threshold)
            rows = [{"input_ids": [1, 2], "labels": 0}]
            trainer = Trainer(model=model, args=args, train_dataset=rows, eval_dataset=rows,
                              callbacks=[callback])
            stops_after = None
            for evaluation, score in enumerate(scores, start=1):
                found = {f"eval_{metric}": score}
                control = trainer.callback_handler.on_evaluate(args, trainer.state, trainer.control, found)
                trainer._determine_best_metric(metrics=found, trial=None)
                if control.should_training_stop:
                    stops_after = evaluation
                    break
            cases.append({"metric": metric, "scores": scores, "patience": patience,
                          "threshold": threshold, "stops_after_evaluation": stops_after})
    with open(out, "w") as f:
        json.dump({"generated_by": f"reference.py early-stopping (transformers {transformers.__version__})",
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
    p = sub.add_parser("family-fixtures")
    p.add_argument("--out", required=True)
    p = sub.add_parser("minilm")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("as-distilbert")
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
    p = sub.add_parser("class-weights")
    p.add_argument("--out", required=True)
    p = sub.add_parser("multi-label")
    p.add_argument("out")
    p = sub.add_parser("early-stopping")
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
    elif args.command == "family-fixtures":
        family_fixtures(args.out)
    elif args.command == "minilm":
        minilm(args.model, args.out)
    elif args.command == "as-distilbert":
        as_distilbert(args.model, args.out)
    elif args.command == "schedules":
        schedules(args.out)
    elif args.command == "metrics":
        metrics(args.out)
    elif args.command == "splits":
        splits(args.out)
    elif args.command == "steps":
        steps(args.out)
    elif args.command == "class-weights":
        class_weights(args.out)
    elif args.command == "multi-label":
        multi_label(args.out)
    elif args.command == "early-stopping":
        early_stopping(args.out)
    elif args.command == "gradients":
        gradients(args.model, args.out)
    else:
        logits(args.model, args.texts, args.max_len)


if __name__ == "__main__":
    main()
