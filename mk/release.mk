# Release targets of vb365.restore (included by the Makefile: -include mk/*.mk).
#
#   make dist          ansible-galaxy collection build -> .tmp/release/dist/vb365-restore-<version>.tar.gz
#   make ee            dist, then ansible-builder create -> .tmp/release/ee-context (Containerfile and _build/)
#   make docs          the documentation site -> build/docs/html/index.html (docs/site/build.sh)
#   make docs-test     build the site and test it (a stage of `make test`)
#   make changelog     antsibull-changelog lint, then CHANGELOG.md from changelogs/ (release $(VERSION))
#   make release-check the release tests alone: tarball, install, ansible-doc, runbook, EE context, AWX
#   make matrix        the tests under the oldest and newest supported ansible-core, each in its
#                      own venv under .tmp/matrix (.ci/matrix.sh; MATRIX="2.16:3.11 2.19:3.13" picks)
RELEASE := .tmp/release
VERSION = $(shell sed -n 's/^version: *//p' galaxy.yml)
COPY_TRACKED = git ls-files -z -co --exclude-standard \
	| while IFS= read -r -d '' path; do [ -e "$$path" ] && printf '%s\0' "$$path"; done \
	| tar --null -T - -cf - | tar -xf - -C

STAGES += docs-test

.PHONY: dist ee docs docs-test changelog release-check matrix

# make setup installs the site's requirements too (requirements-test.txt includes them).
$(SETUP_STAMP): docs/site/requirements.txt

dist: setup
	@rm -rf $(RELEASE)/src $(RELEASE)/dist
	@mkdir -p $(RELEASE)/src/ansible_collections/vb365/restore
	@$(COPY_TRACKED) $(RELEASE)/src/ansible_collections/vb365/restore
	$(BIN)/ansible-galaxy collection build --output-path $(RELEASE)/dist $(RELEASE)/src/ansible_collections/vb365/restore
	@cp $(RELEASE)/dist/vb365-restore-$(VERSION).tar.gz $(RELEASE)/vb365-restore.tar.gz
	@echo "dist: $(RELEASE)/dist/vb365-restore-$(VERSION).tar.gz (install: ansible-galaxy collection install $(RELEASE)/dist/vb365-restore-$(VERSION).tar.gz)"

ee: dist
	@rm -rf $(RELEASE)/ee-context
	$(BIN)/ansible-builder create -f execution-environment.yml -c $(RELEASE)/ee-context --output-filename Containerfile
	@echo "ee: build context in $(RELEASE)/ee-context; build it with: podman build -f $(RELEASE)/ee-context/Containerfile -t vb365-restore-ee $(RELEASE)/ee-context"

docs: setup
	@bash docs/site/build.sh $(BIN) $(abspath build/docs)

docs-test: setup
	@bash .ci/stage.sh docs-test pytest $(BIN)/python -m pytest docs/site/test_site.py

# The changelog is kept for the version in galaxy.yml: fragments in changelogs/fragments (kept,
# keep_fragments: true) and the modules and roles found in the collection make up its entry.
changelog: setup
	@rm -rf $(RELEASE)/changelog
	@mkdir -p $(RELEASE)/changelog/ansible_collections/vb365/restore
	@$(COPY_TRACKED) $(RELEASE)/changelog/ansible_collections/vb365/restore
	@git -C $(RELEASE)/changelog/ansible_collections/vb365/restore init -q  # antsibull-changelog lists files with git
	cd $(RELEASE)/changelog/ansible_collections/vb365/restore \
		&& PATH=$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(abspath $(RELEASE)/changelog) $(BIN)/antsibull-changelog lint \
		&& PATH=$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(abspath $(RELEASE)/changelog) $(BIN)/antsibull-changelog release \
			--version $(VERSION) --update-existing --reload-plugins --refresh --date $$(sed -n "s/^    release_date: '\(.*\)'/\1/p" changelogs/changelog.yaml | tail -n 1)
	@cp $(RELEASE)/changelog/ansible_collections/vb365/restore/changelogs/changelog.yaml changelogs/changelog.yaml
	@cp $(RELEASE)/changelog/ansible_collections/vb365/restore/CHANGELOG.md CHANGELOG.md
	@echo "changelog: changelogs/changelog.yaml and CHANGELOG.md for $(VERSION)"

release-check: setup
	$(BIN)/python -m pytest -n $(WORKERS) tests/unit/test_credential_type.py tests/integration/test_galaxy_install.py tests/integration/test_awx_runner.py

matrix:
	@bash .ci/matrix.sh
