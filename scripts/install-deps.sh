#!/usr/bin/env bash
# Installs what nls needs from Debian's packages when it is missing: PostgreSQL 15 with PL/Python and pg_cron, and
# the modules the server's own Python (/usr/bin/python3) imports inside PostgreSQL. Then pg_net (optional: the
# events' HTTP deliveries from inside the server, docs/events.md), from its Debian package where an archive has one,
# else built with PGXS from the source tarball in ../shared/vendor/ ($NLS_VENDOR_DIR) when it is there. pg_net never
# fails this script: without it nls sends its events as NOTIFY only.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
pkgs="postgresql-15 postgresql-plpython3-15 postgresql-15-cron python3-requests python3-cryptography python3-venv"
missing=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "nls needs these Debian packages:$missing" >&2
    echo "install them with: sudo apt-get install -y$missing" >&2
    exit 1
  fi
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# ---- pg_net (optional) -------------------------------------------------------------------------------------------
pg_config="${NLS_PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
[ -x "$pg_config" ] || pg_config="$(command -v pg_config || true)"
pgnet_note() { echo "pg_net: $*" >&2; }
if [ -z "$pg_config" ]; then
  pgnet_note "no pg_config found: skipped (nls sends its events as NOTIFY only)"
  exit 0
fi
libdir="$("$pg_config" --pkglibdir)"
extdir="$("$pg_config" --sharedir)/extension"
if [ -f "$libdir/pg_net.so" ] && [ -f "$extdir/pg_net.control" ]; then
  exit 0   # installed for this server already
fi
if apt-cache policy postgresql-15-pg-net 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: postgresql-15-pg-net"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-pg-net >/dev/null && exit 0
    pgnet_note "the Debian package postgresql-15-pg-net did not install; trying the source"
  fi
fi
vendor="${NLS_VENDOR_DIR:-$here/../shared/vendor}"
if [ -z "${NLS_VENDOR_DIR:-}" ] && [ ! -d "$vendor" ]; then   # a git worktree: beside the main checkout
  common="$(git -C "$here" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)"
  [ -n "$common" ] && vendor="$(dirname "$(dirname "$common")")/shared/vendor"
fi
tarball="$(ls "$vendor"/pg_net-*.tar.gz 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$tarball" ]; then
  pgnet_note "not installed, and no source tarball in $vendor: skipped (nls sends its events as NOTIFY only;"
  pgnet_note "get pg_net from https://github.com/supabase/pg_net and build it with PGXS, docs/events.md)"
  exit 0
fi
build_pkgs=""
for p in postgresql-server-dev-15 libcurl4-openssl-dev make gcc; do
  dpkg -s "$p" >/dev/null 2>&1 || build_pkgs="$build_pkgs $p"
done
if [ -n "$build_pkgs" ]; then
  if [ "$(id -u)" != 0 ]; then
    pgnet_note "building it from $tarball needs these Debian packages:$build_pkgs"
    pgnet_note "install them with: sudo apt-get install -y$build_pkgs (then make deps again); going on without pg_net"
    exit 0
  fi
  echo "installing (to build pg_net):$build_pkgs"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $build_pkgs >/dev/null; }; then
    pgnet_note "could not install$build_pkgs: going on without pg_net"
    exit 0
  fi
fi
if [ ! -w "$libdir" ] || [ ! -w "$extdir" ]; then
  pgnet_note "$libdir or $extdir is not writable by $(id -un): run make deps as root to install pg_net"
  pgnet_note "going on without it"
  exit 0
fi
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
tar xzf "$tarball" -C "$build"
src="$(ls -d "$build"/pg_net-*/ | head -n 1)"
echo "building pg_net from $(basename "$tarball") (PGXS, $pg_config)"
if ! make -s -C "$src" PG_CONFIG="$pg_config" >"$build/build.log" 2>&1 \
   || ! make -s -C "$src" PG_CONFIG="$pg_config" install >>"$build/build.log" 2>&1; then
  tail -n 20 "$build/build.log" >&2
  pgnet_note "the build failed (above): going on without pg_net"
  exit 0
fi
if ldd "$libdir/pg_net.so" | grep -q 'not found'; then
  ldd "$libdir/pg_net.so" | grep 'not found' >&2
  pgnet_note "$libdir/pg_net.so misses the libraries above: removing it, going on without pg_net"
  rm -f "$libdir/pg_net.so" "$extdir/pg_net.control"
  exit 0
fi
# that it loads in a cluster: a throwaway one with pg_net preloaded, CREATE EXTENSION, the worker up
python="$(command -v python3)"
[ -x "$here/.venv/bin/python" ] && python="$here/.venv/bin/python"
if "$python" -c 'import psycopg' 2>/dev/null; then
  if ! "$python" "$here/scripts/pg_cluster.py" check-extension pg_net; then
    pgnet_note "it was built but does not load (above): removing it, going on without pg_net"
    rm -f "$libdir/pg_net.so" "$extdir/pg_net.control"
    exit 0
  fi
fi
echo "pg_net installed: $libdir/pg_net.so"
