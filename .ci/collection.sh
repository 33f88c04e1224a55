#!/usr/bin/env bash
# Rebuild build/collections/ansible_collections/vb365/restore from the checkout, then run COMMAND
# (inside that directory with --cd) while no other run can replace the tree.
#
#   .ci/collection.sh [--cd] [COMMAND [ARG...]]
#
# - A real directory, not a symlink: ansible-test refuses symlinked collection roots.
# - The files are the ones git tracks plus the new ones it does not ignore (`git ls-files -co
#   --exclude-standard`), so .venv, build and .tmp never get in.
# - The copy gets its own `git init`: otherwise ansible-test finds this checkout's repository,
#   where build/ is ignored, and sanity would test no file at all.
# - An exclusive lock on build/.lock (flock, when the machine has it) keeps two make runs in the
#   same checkout from deleting each other's tree half-way through sanity or lint.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
into_copy=false
if [ "${1:-}" = --cd ]; then
  into_copy=true
  shift
fi

collections="$root/build/collections"
copy="$collections/ansible_collections/vb365/restore"
mkdir -p build
exec 9>build/.lock
if command -v flock >/dev/null 2>&1; then
  flock -w 1800 9 || { echo "collection.sh: another make run held build/.lock for 30 minutes" >&2; exit 1; }
fi

rm -rf "$collections"
mkdir -p "$copy"
# Deleted-but-tracked files are listed too; drop them so that tar does not fail on them.
git ls-files -z -co --exclude-standard \
  | python3 -c 'import os, sys; sys.stdout.buffer.write(b"".join(p + b"\0" for p in sys.stdin.buffer.read().split(b"\0") if p and os.path.lexists(p)))' \
  | tar --null -T - -cf - | tar -xf - -C "$copy"
git -C "$copy" init -q

[ $# -eq 0 ] && exit 0
if $into_copy; then
  cd "$copy"
fi
"$@" 9>&-
