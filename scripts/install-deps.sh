#!/usr/bin/env bash
# Installs what nls needs from Debian's packages when it is missing: PostgreSQL 15 with PL/Python and pg_cron, and
# the modules the server's own Python (/usr/bin/python3) imports inside PostgreSQL.
set -euo pipefail
pkgs="postgresql-15 postgresql-plpython3-15 postgresql-15-cron python3-requests python3-cryptography python3-venv"
missing=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "nls needs these Debian packages:$missing" >&2
  echo "install them with: sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "installing:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
