# The two set-up commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 5000
SANDBOX_PORT ?= 5055
# The browser tests drive Debian's Chromium; `make test` installs it when it is missing.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
BABEL := $(VENV)/bin/pybabel
# Catalogues: the .po files are in the repository, their compiled .mo files are built here.
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: install run test lint bench clean chromium extract-messages update-messages compile-messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BABEL) compile --statistics -i $< -o $@

install: $(STAMP) $(MO)

compile-messages: $(MO)

# After changing user-facing strings: extract them, merge them into each catalogue, translate
# the new entries (tests/test_i18n.py fails while one is missing or fuzzy).
extract-messages: $(STAMP)
	$(BABEL) extract -F babel.cfg -k _l -k lazy_gettext -k Nn_:1,2 --no-location --sort-output \
		--project=Lectern -o translations/messages.pot .

update-messages: extract-messages
	$(BABEL) update -i translations/messages.pot -d translations --ignore-obsolete --width 110

run: install
	PORT=$(PORT) SANDBOX_PORT=$(SANDBOX_PORT) bash scripts/run-demo.sh

chromium:
	$(if $(wildcard $(CHROMIUM)),,$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null)

test: install chromium
	$(VENV)/bin/ruff check portal providers tests bench
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check portal providers tests bench

clean:
	rm -rf $(VENV) instance .pytest_cache $(MO)
