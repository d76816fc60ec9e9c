# briefpress: `make` builds every brief in source/ into build/; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements/lock.txt
TEST_LOCK := requirements/test.txt
STAMP      := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
NODE_STAMP := node_modules/.installed

.PHONY: all install build test test-all coverage check lint clean system-deps browser-deps docs pictures bench bench-archive baselines lock

all: build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

system-deps:
	@sh tools/system-deps.sh

# The virtual environment and briefpress, nothing built (CI jobs that build a shard).
install: $(STAMP)

# Everything is installed from a lock file, every file checked against its hash:
# every machine gets the same bytes. The lock holds pip and setuptools too, so the
# project itself is built without fetching anything (--no-build-isolation).
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python system-deps
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@touch $@

# The browser tests' tools: Debian's chromium, and the npm packages pinned in
# package-lock.json (puppeteer-core, axe-core, vnu-jar, @daisy/ace-cli). Puppeteer
# must not download a browser: the tests drive /usr/bin/chromium.
browser-deps:
	@sh tools/browser-deps.sh

$(NODE_STAMP): package.json package-lock.json | browser-deps
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The runtime lock plus the test tools and everything they pull in.
$(TEST_STAMP): $(STAMP) $(TEST_LOCK)
	$(BIN)/python -m pip install -q --require-hashes -r $(TEST_LOCK)
	@touch $@

# briefpress decides what is stale from content hashes, so `make` after `make`
# builds nothing, and a style edit rebuilds every brief. One failing brief still
# lets the catalogue list the others; then make fails with the build's status.
# `make SITE_URL=https://example.org/briefs/` is a publish build (absolute links,
# sitemaps); without it the web edition is a preview marked noindex, and build says so.
SITE_URL ?=
SITE_FLAG := $(if $(SITE_URL),--site-url $(SITE_URL))
build: $(STAMP)
	@status=0; echo "$(BIN)/briefpress build source/ $(SITE_FLAG)"; $(BIN)/briefpress build source/ $(SITE_FLAG) || status=$$?; \
	echo "$(BIN)/briefpress index source/ $(SITE_FLAG)"; $(BIN)/briefpress index source/ $(SITE_FLAG) || status=$$?; \
	exit $$status

# Outside CI, tests marked `slow` are left out (`make test-all` runs them); CI runs everything.
SLOW := $(if $(CI),,-m "not slow")

test: $(TEST_STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(SLOW)

test-all: $(TEST_STAMP)
	$(MAKE) test CI=1

# Line coverage of the whole suite, subprocesses and build workers included.
coverage: $(TEST_STAMP)
	rm -f .coverage .coverage.*
	$(BIN)/pytest --cov --cov-report=term -q

# The CI gate: layout rules and page images against the approved baselines.
check: $(TEST_STAMP)
	$(BIN)/briefpress check source/ $(SITE_FLAG) --baseline tests/baselines --junit build/check-report.xml

# Approve the current pages as the new baselines (review the diff images first).
baselines: $(TEST_STAMP)
	$(BIN)/briefpress check source/ --baseline tests/baselines --update-baseline

lint: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf build build-docs .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# The docs site (docs/, mkdocs.yml), strict: a broken link, page, anchor or snippet fails.
# Output in build-docs/, outside build/ (which briefpress owns). tests/test_docs.py runs it too.
docs: $(TEST_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# The docs' pictures, made from the real output: page 1 of the reference brief, its web
# page in Chromium at phone and desktop widths, page 1 of each sample style (the gallery),
# and page makeup before and after (the same brief without and with it).
pictures: build $(TEST_STAMP) $(NODE_STAMP)
	$(BIN)/pypdfium2 render build/2023-26-nato-japan.pdf --pages 1 --scale 1.5 --crop 8.5 8.5 8.5 8.5 \
	  --output docs/img --prefix page- --format png
	$(BIN)/python tools/web-screenshots.py build/2023-26-nato-japan/index.html docs/img/web-page
	$(BIN)/python tools/gallery.py build/2023-26-nato-japan.pdf docs/img/gallery-csds.png
	$(BIN)/python tools/gallery.py build/korea-chair/2024-3-seoul-brussels-tech.pdf docs/img/gallery-csds-korea.png
	$(BIN)/python tools/gallery.py build/spotlight/2024-7-undersea-cables.pdf docs/img/gallery-spotlight.png
	$(BIN)/briefpress build source/2024-2-indo-pacific-vocabulary.md --format pdf --no-page-makeup -o build/no-makeup
	$(BIN)/python tools/page_strip.py build/no-makeup/2024-2-indo-pacific-vocabulary.pdf docs/img/makeup-before.png
	$(BIN)/python tools/page_strip.py build/2024-2-indo-pacific-vocabulary.pdf docs/img/makeup-after.png

# Speed against the weasyprint CLI, like for like (the same HTML, stylesheets and PDF/X-4
# variant, two CLI processes against two workers), with Typst's time per brief beside.
# Each writes its own section of the docs' results page, the rest of the page kept.
BENCH_RESULTS := docs/benchmarks.md
bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/bench.py --write $(BENCH_RESULTS)

# A generated archive (BRIEFS=1000 for the large run): cold, no-op, one-edit and
# style-change `make`, disk per brief, peak memory of the process tree.
BRIEFS ?= 200
bench-archive: $(TEST_STAMP)
	$(BIN)/python benchmarks/archive.py --briefs $(BRIEFS) --write $(BENCH_RESULTS)

# Rewrite both lock files with hashes from pyproject.toml, keeping every version
# already pinned in either file (a plain `name==version` line appended to
# requirements/lock.txt is kept too). pip-tools runs from its own venv.
# To move a package: edit its pin in requirements/lock.txt, then `make lock`.
LOCK_VENV := .venv-lock
COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-find-links --no-emit-index-url \
	-c $(LOCK_VENV)/pins.txt

$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q pip-tools==7.7.0

# pins.txt: name==version of every pin in the files given, the last one read winning
# (so lock.txt, read last, beats test.txt, and a line appended to it beats an older one).
PINS = awk '/^[A-Za-z0-9]/ { split($$1, p, "=="); n = tolower(p[1]); gsub(/[-_.]+/, "-", n); \
	sub(/;.*/, "", p[2]); if (p[2] != "") pin[n] = p[2] } END { for (n in pin) print n "==" pin[n] }'

lock: | $(LOCK_VENV)/bin/pip-compile
	$(PINS) $(wildcard $(TEST_LOCK)) $(LOCK) > $(LOCK_VENV)/pins.txt
	$(COMPILE) --extra=test -o $(TEST_LOCK) pyproject.toml requirements/installers.in
	$(PINS) $(TEST_LOCK) > $(LOCK_VENV)/pins.txt
	$(COMPILE) -o $(LOCK) pyproject.toml requirements/installers.in
	sed -i -e '/^    #   -c \.venv-lock\/pins\.txt$$/d' \
	  -e 's|^#    make lock$$|#    make lock    (both lock files, with hashes, pinned versions kept: docs/contributing.md)|' \
	  $(LOCK) $(TEST_LOCK)
