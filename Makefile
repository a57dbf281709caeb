# Two commands matter: `make run` (set up and start Aman in sandbox mode) and `make test`
# (set up and run the whole suite). Everything else here is what they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test setup catalogs catalogs-update lint format browser bench clean

run: setup
	$(BIN)/aman run

test: setup browser
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/aman content check
	$(BIN)/pytest

setup: $(STAMP) catalogs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compiled catalogs (.mo) are built here from locales/*/LC_MESSAGES/aman.po, never edited by hand.
catalogs: $(STAMP)
	$(BIN)/pybabel compile --domain aman --directory locales --statistics 2>&1 | grep -v '^compiling' || true

# Re-extract every user-facing string and merge it into each language's catalog.
catalogs-update: $(STAMP)
	$(BIN)/pybabel extract --mapping babel.cfg --keywords N_ --keywords pgettext:1c,2 \
		--project Aman --copyright-holder "Aman contributors" --width 100 --output locales/aman.pot .
	$(BIN)/pybabel update --domain aman --input-file locales/aman.pot --output-dir locales \
		--no-fuzzy-matching --ignore-obsolete --width 100

# Browser tests drive Debian's Chromium through Playwright; install it where it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/aman bench broadcast --subscribers 10000 --rate 30

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
