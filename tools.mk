# tools.mk: the external servers that tests start (included by the Makefile).
#
# `make tools` installs pinned versions into .cache/ (git-ignored) on first
# use; a second run does nothing. Changing a version below reinstalls that
# tool only. Go tools are built with `go install MODULE@VERSION`, each with its
# own go.mod (nothing is added to the library's go.mod); Azurite comes from
# the npm registry. Tests find the tools through $OBJSTORE_TOOLS (exported
# here) or, when run by hand, through .cache/ next to go.mod.

TOOLS_DIR := $(CURDIR)/.cache
TOOLS_BIN := $(TOOLS_DIR)/bin
export OBJSTORE_TOOLS := $(TOOLS_DIR)

# Pinned versions. MinIO publishes no semver tags: pin a pseudo-version.
MINIO_VERSION     := v0.0.0-20260212201848-7aac2a2c5b7c
FAKE_GCS_VERSION  := v1.56.1
VERSITYGW_VERSION := v1.8.0
# 3.36.0 and later require Node >= 21; the machines have Node 20.
AZURITE_VERSION   := 3.35.0

MINIO_PKG     := github.com/minio/minio
FAKE_GCS_PKG  := github.com/fsouza/fake-gcs-server
VERSITYGW_PKG := github.com/versity/versitygw/cmd/versitygw

# One empty marker file per tool and version: a binary is rebuilt when it is
# missing or older than the marker of the version pinned above.
TOOLS_STAMPS := $(TOOLS_DIR)/versions

MINIO_BIN     := $(TOOLS_BIN)/minio
FAKE_GCS_BIN  := $(TOOLS_BIN)/fake-gcs-server
VERSITYGW_BIN := $(TOOLS_BIN)/versitygw
AZURITE_BIN   := $(TOOLS_DIR)/node/node_modules/.bin/azurite-blob

.PHONY: tools tools-clean

## tools: install the pinned test servers into .cache/ (no-op when present)
tools: $(MINIO_BIN) $(FAKE_GCS_BIN) $(VERSITYGW_BIN) $(AZURITE_BIN)

$(TOOLS_STAMPS)/%:
	@mkdir -p $(@D)
	@touch $@

$(MINIO_BIN): $(TOOLS_STAMPS)/minio-$(MINIO_VERSION)
	GOBIN=$(TOOLS_BIN) go install $(MINIO_PKG)@$(MINIO_VERSION)
	@touch $@

$(FAKE_GCS_BIN): $(TOOLS_STAMPS)/fake-gcs-server-$(FAKE_GCS_VERSION)
	GOBIN=$(TOOLS_BIN) go install $(FAKE_GCS_PKG)@$(FAKE_GCS_VERSION)
	@touch $@

$(VERSITYGW_BIN): $(TOOLS_STAMPS)/versitygw-$(VERSITYGW_VERSION)
	GOBIN=$(TOOLS_BIN) go install $(VERSITYGW_PKG)@$(VERSITYGW_VERSION)
	@touch $@

$(AZURITE_BIN): $(TOOLS_STAMPS)/azurite-$(AZURITE_VERSION)
	npm install --prefix $(TOOLS_DIR)/node --no-audit --no-fund --save-exact azurite@$(AZURITE_VERSION)
	@touch $@

## tools-clean: remove the installed test servers
tools-clean:
	rm -rf $(TOOLS_BIN) $(TOOLS_DIR)/node $(TOOLS_STAMPS)
