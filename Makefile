# objstore: `make demo` shows the main job on the filesystem backend;
# `make test` installs the test servers it needs (pinned, cached under
# .cache/) and runs every check. See docs/testing.md.

GO        ?= go
PKGS      := ./...
TEST_FLAGS ?= -race -timeout 25m
FUZZTIME  ?= 30s

include tools.mk

.PHONY: test check fmt vet unit demo bench fuzz build clean

# The tools build in parallel (a first build takes several minutes).
test: check
	$(MAKE) -j4 tools
	$(MAKE) unit

check: fmt vet

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test $(TEST_FLAGS) $(PKGS)

build:
	$(GO) build -o bin/objstore ./cmd/objstore

demo: build
	./scripts/demo.sh ./bin/objstore

bench: tools
	cd bench && $(GO) run . -markdown ../docs/benchmarks.md

# Runs every fuzz target for FUZZTIME each; `make test` runs only their
# committed seed corpora.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin objstore-data
