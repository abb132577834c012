#!/usr/bin/env bash
# Anki's library (AGPL-3.0; the optional Anki sync) for the two Pythons that need it, when it is missing:
#   the server's own Python (/usr/bin/python3, the one PL/Python runs): pip install --target SERVER_DIR, a folder
#     the server's OS user can read, which the setting anki_python_path names;
#   the venv (tests and the demo drive the learner's "phone" collection and run Anki's sync server with it).
# Usage: scripts/install-anki.sh SERVER_DIR VENV. The version is nls_install.install.ANKI_REQUIREMENT. Never fails:
# without network or permission it says so, and the tests that need Anki skip with that reason.
set -uo pipefail
dir="$1"; venv="$2"
req="$("$venv/bin/python" -c 'from nls_install.install import ANKI_REQUIREMENT; print(ANKI_REQUIREMENT)')"
version="${req#anki==}"
pip_quiet=(-q --disable-pip-version-check --root-user-action=ignore)
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('anki') != '$version')" 2>/dev/null; then
  echo "installing $req into $venv"
  "$venv/bin/pip" install "${pip_quiet[@]}" "$req" 2>&1 | grep -v "is ignored" || true
fi
if [ ! -d "$dir/anki-$version.dist-info" ]; then
  echo "installing $req for the server's Python into $dir"
  if mkdir -p "$dir" 2>/dev/null && /usr/bin/python3 -m pip install "${pip_quiet[@]}" --upgrade --target "$dir" "$req" 2>&1 \
      | grep -v -e "is ignored" -e "^WARNING: Target directory"; then :; fi
  if [ -d "$dir/anki-$version.dist-info" ]; then
    chmod -R a+rX "$dir"
  else
    echo "warning: Anki's library could not be installed into $dir; the tests of the Anki sync will skip" >&2
  fi
fi
exit 0
