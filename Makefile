# budgetbot — two commands do everything: `make run` and `make test`.
PYTHON ?= python3
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LANGS := sv en ar
BABEL_KEYWORDS := -k N_ -k ngettext:1,2

.PHONY: run test catalogs lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## Extract every user-facing string, merge it into each language, compile the .mo files.
## The template is replaced only when a message changed, so the tree stays clean otherwise.
catalogs: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		--project budgetbot --copyright-holder "budgetbot" -o $(VENV)/messages.pot .
	@if grep -v '^"POT-Creation-Date' $(VENV)/messages.pot | cmp -s - \
		<(grep -v '^"POT-Creation-Date' locales/messages.pot 2>/dev/null); then \
		rm $(VENV)/messages.pot; else mv $(VENV)/messages.pot locales/messages.pot; fi
	@set -e; for lang in $(LANGS); do \
		if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete \
				-i locales/messages.pot -d locales -l $$lang; \
		else \
			$(BIN)/pybabel -q init -i locales/messages.pot -d locales -l $$lang; \
		fi; \
	done
	$(BIN)/pybabel -q compile -d locales -D messages

## Seed a demo round in SQLite, serve the admin on :8000 and open a console chat.
run: $(STAMP) catalogs
	$(BIN)/budgetbot demo

## Style, and the import contracts of pyproject.toml (direction of dependencies, no cycles).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

## Install what the tests need, rebuild the catalogs, lint, run every test.
test: $(STAMP) catalogs lint
	$(BIN)/python -m pytest

## Every benchmark, one after the other (several minutes).
bench: $(STAMP) catalogs
	$(BIN)/python bench/tally.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/bench_tally
	$(BIN)/python bench/telegram_throughput.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/similarity.py
	$(BIN)/python bench/logins.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/bench_logins

clean:
	rm -rf $(VENV) budgetbot.sqlite3* locales/*/LC_MESSAGES/*.mo
