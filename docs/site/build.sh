#!/usr/bin/env bash
# Build the vb365.restore documentation site (what `make docs` runs):
#
#   docs/site/build.sh VENV_BIN [OUTPUT_DIR]          OUTPUT_DIR: build/docs by default
#
# 1. copies the collection as it will be published (the files git tracks plus new ones it does
#    not ignore) to OUTPUT_DIR/collections/ansible_collections/vb365/restore;
# 2. checks its documentation with `antsibull-docs lint-collection-docs --plugin-docs`;
# 3. writes the reStructuredText of every module and role from their own DOCUMENTATION and
#    meta/argument_specs.yml (`antsibull-docs collection`), adds docs/guides/*.rst and
#    docs/site/index.rst;
# 4. builds the HTML with Sphinx into OUTPUT_DIR/html (warnings are errors) and checks that every
#    module and role has its page.
# Offline: no intersphinx inventory is fetched (docs/site/conf.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "${1:?usage: docs/site/build.sh VENV_BIN [OUTPUT_DIR]}" && pwd)
out=${2:-$root/build/docs}
export PATH="$bin:$PATH"
cd "$root"

rm -rf "$out"
collections="$out/collections"
copy="$collections/ansible_collections/vb365/restore"
mkdir -p "$copy"
git ls-files -z -co --exclude-standard \
  | while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done \
  | tar --null -T - -cf - | tar -xf - -C "$copy"

# ansible-doc (which antsibull-docs runs) with no configuration but an empty one.
printf '[defaults]\n' >"$out/ansible.cfg"
export ANSIBLE_CONFIG="$out/ansible.cfg" ANSIBLE_HOME="$out/ansible-home" ANSIBLE_COLLECTIONS_PATH="$collections"

echo "+ antsibull-docs lint-collection-docs --plugin-docs"
(cd "$copy" && antsibull-docs lint-collection-docs --plugin-docs .)

rst="$out/rst"
mkdir -p "$rst"
chmod og-w "$rst"  # antsibull-docs writes only into a directory that only its owner can write
echo "+ antsibull-docs collection --use-current vb365.restore"
antsibull-docs --config-file docs/site/antsibull-docs.cfg collection --use-current --fail-on-error \
  --dest-dir "$rst" vb365.restore
cp docs/site/index.rst "$rst/index.rst"
mkdir -p "$rst/guides"
cp docs/guides/*.rst "$rst/guides/"

echo "+ sphinx-build -b html"
sphinx-build -q -W --keep-going -b html -c docs/site -d "$out/doctrees" "$rst" "$out/html"

missing=0
for module in plugins/modules/*.py; do
  name=$(basename "$module" .py)
  page="$out/html/collections/vb365/restore/${name}_module.html"
  [ -f "$page" ] || { echo "docs: no page for the module $name ($page)" >&2; missing=1; }
done
for spec in roles/*/meta/argument_specs.yml; do
  name=$(basename "$(dirname "$(dirname "$spec")")")
  page="$out/html/collections/vb365/restore/${name}_role.html"
  [ -f "$page" ] || { echo "docs: no page for the role $name ($page)" >&2; missing=1; }
done
[ "$missing" -eq 0 ] || exit 1
echo "docs: $out/html/index.html ($(find "$out/html/collections/vb365/restore" -name '*_module.html' | wc -l) modules, $(find "$out/html/collections/vb365/restore" -name '*_role.html' | wc -l) roles, $(find "$out/html/guides" -name '*.html' | wc -l) guides)"
