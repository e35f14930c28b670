#!/usr/bin/env python3
"""Writes the malformed-input corpus: small bad (or awkward) CSV files and expected.json, the
outcome each must produce. Large cases (a 10 MB line, 50,000 classes) and the broken model
folders are made by the test itself (tests/corpus.rs), so that nothing large is committed.

    python3 src-tauri/engine/tests/corpus/make_corpus.py
"""
import csv
import io
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")
ROWS = [
    ("Culture de céréales et de légumineuses", "01"),
    ("Élevage de vaches laitières", "01"),
    ("Pêche en mer", "03"),
    ("Aquaculture en eau douce", "03"),
    ("Fabrication de pain et de pâtisserie fraîche", "10"),
    ("Fabrication de pâtes alimentaires", "10"),
    ("Fabrication de bière", "11"),
    ("Production de boissons rafraîchissantes", "11"),
]
cases = []


def csv_text(rows, header="text,label", sep=",", eol="\n"):
    lines = [header] + [f'"{t}"{sep}{l}' for t, l in rows]
    return eol.join(lines) + eol


def rows_by_python(data, encoding, sep):
    """What Python's csv module reads in the file: data records (blank lines are none), and
    those with both a text and a label (the first two columns)."""
    text = data.decode(encoding) if isinstance(data, bytes) else data
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=sep) if r][1:]
    kept = [r for r in records if len(r) >= 2 and r[0].strip() and r[1].strip()]
    return {"read": len(records), "kept": len(kept)}


def case(name, data, outcome, expect, text="text", label="label", why="", encoding="utf-8", sep=","):
    path = os.path.join(FILES, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    entry = {"file": name, "text_column": text, "label_column": label,
             "outcome": outcome, "expect": expect, "why": why}
    if outcome == "ok":
        entry["rows"] = rows_by_python(data, encoding, sep)
    cases.append(entry)


os.makedirs(FILES, exist_ok=True)
good = csv_text(ROWS)
case("empty.csv", b"", "error", "the file is empty")
case("blank_lines_only.csv", "\n\n  \n", "error", "the file is empty")
case("header_only.csv", "text,label\n", "error", "no data rows")
case("no_header.csv", "\n".join(f'"{t}",{l}' for t, l in ROWS) + "\n", "error",
     'there is no column named "text"', why="the first data row is taken as the header")
case("missing_text_column.csv", csv_text(ROWS, header="description,label"), "error",
     'there is no column named "text"')
case("missing_label_column.csv", csv_text(ROWS, header="text,code"), "error",
     'there is no column named "label"')
case("one_class.csv", csv_text([(t, "01") for t, _ in ROWS]), "error", "a classifier needs at least two classes")
case("all_labels_empty.csv", csv_text([(t, "") for t, _ in ROWS]), "error", "has both a text")
case("latin1.csv", good.encode("latin-1"), "ok", "Windows-1252",
     why="decoded as Windows-1252 (a superset of Latin-1)", encoding="latin-1")
case("windows1252.csv", csv_text(ROWS + [("Cœur de métier : 100 € de chiffre", "11")]).encode("cp1252"),
     "ok", "Windows-1252", encoding="cp1252")
case("utf16_bom.csv", b"\xff\xfe" + good.encode("utf-16-le"), "ok", "UTF-16", encoding="utf-16")
case("utf16be_bom.csv", b"\xfe\xff" + good.encode("utf-16-be"), "ok", "UTF-16", encoding="utf-16")
case("utf8_bom.csv", b"\xef\xbb\xbf" + good.encode("utf-8"), "ok", "UTF-8",
     why="the BOM is removed, so the first column is still called text", encoding="utf-8-sig")
mixed = "text,label\r\n" + "".join(f'"{t}",{l}' + ("\r\n" if i % 2 else "\n") for i, (t, l) in enumerate(ROWS))
case("mixed_line_endings.csv", mixed, "ok", "comma")
case("quoted_newlines.csv", csv_text([(t + "\nsuite sur une autre ligne", l) for t, l in ROWS]), "ok", "comma")
case("unbalanced_quotes.csv", 'text,label\n"Culture de céréales,01\n' + "".join(f'"{t}",{l}\n' for t, l in ROWS[1:]),
     "ok", "contain a quote character (first at line 2): a quote may be left open",
     why="an unclosed quote merges the next row into its text: read, with a warning naming the line")
case("nul_bytes.csv", good.replace("Pêche", "P\x00che").encode("utf-8"), "error", "binary data")
case("binary_renamed.csv", bytes(range(256)) * 8, "error", "binary data")
case("png_renamed.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "error", "binary data")
case("xlsx_renamed.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"[Content_Types].xml" + bytes(40), "error",
     "spreadsheet or archive")
case("xls_renamed.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "error", "old Excel")
case("pdf_renamed.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "error", "PDF document")
case("duplicate_columns.csv", csv_text([(t, l) for t, l in ROWS], header="text,text").replace(
    "text,text", "text,text,label").replace('",', '","x",'), "error", '2 columns are named "text"')
case("ragged_row.csv", good + '"Une ligne de trop",10,extra\n', "error", "line 10")
case("numbers_as_labels.csv", csv_text([(t, str(int(l))) for t, l in ROWS]), "ok", "classes: 1, 3, 10, 11",
     why="numeric labels are sorted as numbers, as scikit-learn's LabelEncoder does")
case("labels_with_spaces.csv", csv_text([(t, (" " + l) if i % 2 else l) for i, (t, l) in enumerate(ROWS)]),
     "ok", 'Some labels had spaces around them and were trimmed, so " A" and "A" count as one class')
case("semicolon.csv", csv_text(ROWS, header="text;label", sep=";"), "ok", "semicolon", sep=";")
case("tab.tsv", csv_text(ROWS, header="text\tlabel", sep="\t"), "ok", "tab", sep="\t")
case("empty_texts.csv", csv_text(ROWS + [("", "01"), ("  ", "03")]), "ok", "2 row(s) were skipped")
case("rare_class.csv", csv_text(ROWS + [("Extraction de houille", "05")]), "ok", "fewer than 5 training examples")

cases += [
    {"file": "<folder>", "text_column": "text", "label_column": "label", "outcome": "error",
     "expect": "this is a folder, not a CSV file", "why": "a folder given as the data file"},
    {"file": "<missing>", "text_column": "text", "label_column": "label", "outcome": "error",
     "expect": "Could not open", "why": "a file that does not exist"},
    {"file": "<10 MB single line>", "text_column": "text", "label_column": "label", "outcome": "ok",
     "expect": "longer than 1000 characters", "why": "made by the test: one 10 MB text"},
    {"file": "<50,000 classes>", "text_column": "text", "label_column": "label", "outcome": "error",
     "expect": "too few rows to hold any out for validation", "why": "made by the test: every label once"},
]
models = [
    ("missing_config", "no usable config.json"),
    ("truncated_safetensors", "damaged or incomplete"),
    ("mismatched_shapes", "do not belong together"),
    ("tokenizer_larger_than_vocab", "the tokenizer knows"),
    ("gpt2_config", 'which BERT Studio cannot train or run. It reads these model types'),
    ("no_weights", "no usable weights"),
    ("no_tokenizer", "no usable tokenizer"),
    ("config_not_json", "is not a usable config.json"),
    ("malicious_pickle", "is not a readable PyTorch checkpoint"),
]
for name, expect in models:
    cases.append({"model": name, "outcome": "error", "expect": expect,
                  "why": "made by the test from the tiny fixture"})



def malicious_pytorch_file(path):
    """A pytorch_model.bin (torch's zip layout) whose pickle calls os.system when unpickled by
    Python: loading it must read data, never run code. The test checks the marker file is
    not created."""
    import pickle
    import zipfile

    class RunsACommand:
        def __reduce__(self):
            return (os.system, ("touch /tmp/bert-studio-pickle-ran",))

    payload = pickle.dumps({"bert.embeddings.word_embeddings.weight": RunsACommand()}, protocol=2)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/version", "3\n")
        z.writestr("archive/byteorder", "little")


malicious_pytorch_file(os.path.join(FILES, "malicious_pytorch_model.bin"))

with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"{len(cases)} cases")
