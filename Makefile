# Trygg — the README's two commands live here: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
# Empty: deploy/gunicorn.conf.py decides (2 with PostgreSQL, 1 with SQLite).
WORKERS ?=
export PORT HOST WORKERS

.PHONY: run test lint setup translations migrate browser fonts bench i18n clean

# One virtualenv with the app and its test tools; rebuilt when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

setup: $(BIN)/.installed translations

translations: $(BIN)/.installed
	$(BIN)/python -m backend.i18n_tools compile

migrate: setup
	$(BIN)/flask --app backend db-upgrade

run: migrate fonts
	@echo
	@echo "Trygg is starting on http://$(HOST):$(PORT)"
	@echo "  Open it and choose 'Create an account' for a client account."
	@echo "  A therapist or admin account:  echo 'their password' | $(BIN)/flask --app backend create-user --role therapist --email name@example.org"
	@echo "  Reminders (Web Push) are sent by a worker started alongside, every 60 seconds."
	@echo
	$(BIN)/flask --app backend send-due-reminders --loop 60 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py 'backend:create_app()'

# Debian's Chromium drives the browser tests; install it when missing and we are allowed to.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium is missing: install Debian's chromium package (browser tests will fail)"; fi; }

# The plan's PDF is set in DejaVu Sans (å, æ, ø, ä, ö): Debian's fonts-dejavu-core.
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's fonts-dejavu-core for the plan's PDF"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null; \
		else echo "fonts-dejavu-core is missing: install it (or set TRYGG_PDF_FONT_DIR); the PDF needs DejaVu Sans"; fi; }

test: setup browser fonts
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The lint gate: ruff (pyflakes, pycodestyle, bugbear, pyupgrade, import order) and mypy, both configured
# in pyproject.toml; CI runs it before the tests and it must find nothing.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup browser
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# For developers: extract new messages into the catalogs, then list what is untranslated.
i18n: $(BIN)/.installed
	$(BIN)/python -m backend.i18n_tools update
	-$(BIN)/python -m backend.i18n_tools missing

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache locales/*/LC_MESSAGES/*.mo
