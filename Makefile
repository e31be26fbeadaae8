# Developer entry points. `make demo` and `make test` are the README's quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Debian/Ubuntu packages: a venv, Qt's xcb/EGL libraries for a window, poppler for PDF checks.
DEBIAN_PACKAGES := python3-venv libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 \
	libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
	libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 \
	poppler-utils desktop-file-utils postgresql

.PHONY: demo run test test-thorough bench lint format translations system-deps bundle release-check clean

demo: $(STAMP)
	$(BIN)/workbench demo

run: $(STAMP)
	$(BIN)/workbench

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# Before a release: the kill-and-recover tests at every instant they know (about 2 min more).
test-thorough: $(STAMP)
	THOROUGH=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# The desktop bundle (dist/workbench/) and its release check in an empty environment.
bundle:
	bash packaging/build.sh

release-check: bundle
	bash packaging/smoke_test.sh dist/workbench

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -s -m benchmark tests/benchmarks

lint: $(STAMP)
	$(BIN)/ruff check workbench ui tests

format: $(STAMP)
	$(BIN)/ruff format workbench ui tests

# Re-extract the template and merge it into the four catalogs.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 -k pgettext:1c,2 -k NP_:1c,2 \
		--add-comments=Translators: --no-location --sort-output \
		-o translations/workbench.pot workbench ui
	for lang in fi sv da en; do \
		$(BIN)/pybabel update -i translations/workbench.pot -d translations -D workbench \
			-l $$lang --no-fuzzy-matching --ignore-obsolete; \
	done

system-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages: $$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .hypothesis
