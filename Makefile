# Trygg — the README's two commands live here: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
# Empty: deploy/gunicorn.conf.py decides (2 with PostgreSQL, 1 with SQLite).
WORKERS ?=
export PORT HOST WORKERS

# Exact versions of everything the virtualenv holds, each file with its hashes (`make lock` writes it).
LOCK   := requirements.lock
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check
# Updating the lock takes every package to the newest release pyproject.toml allows; `LOCK_ARGS=` keeps
# the present pins and only adds what is new, `LOCK_ARGS='--upgrade-package flask'` moves one package.
LOCK_ARGS ?= --upgrade

.PHONY: run test lint setup translations migrate browser fonts bench i18n clean lock audit

# One virtualenv with the app and its test tools, installed from the lock: pinned versions, every file
# checked against its hash. pip upgrades itself first, from its own lines of the lock. Rebuilt when the
# lock changes.
$(VENV)/.locked: $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	awk '/^pip==/ {p = 1} p {print} p && !/\\$$/ {exit}' $(LOCK) > $(VENV)/pip.lock
	$(PIP) install --require-hashes -r $(VENV)/pip.lock
	$(PIP) install --require-hashes -r $(LOCK)
	touch $@

# Then the project itself, without its dependencies (the lock brought them) and built with the locked
# setuptools; `pip check` fails when pyproject.toml asks for something the lock does not satisfy.
$(BIN)/.installed: $(VENV)/.locked pyproject.toml
	$(PIP) install --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check || { echo "requirements.lock does not satisfy pyproject.toml: run make lock"; exit 1; }
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
	@# Symbola: the emoji in names and messages ("Ingrid 🌿"), in one colour as fpdf2 draws them.
	@test -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's fonts-symbola for the emoji in the plan's PDF"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-symbola >/dev/null; \
		else echo "fonts-symbola is missing: install it (or set TRYGG_PDF_FONT_DIR); without it the PDF leaves emoji out"; fi; }

test: setup browser fonts
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The lint gate: ruff (pyflakes, pycodestyle, bugbear, pyupgrade, import order) and mypy, both configured
# in pyproject.toml; CI runs it before the tests and it must find nothing.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup browser
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Re-resolve pyproject.toml's ranges (runtime, dev extras and the installers) into requirements.lock with
# every distribution's hash, for CPython 3.11 on Linux x86_64 (this project's machines). Needs only uv from
# the lock, so it works while pyproject.toml asks for more than the lock holds; `make setup` installs it.
# The new lock is written beside the old one (uv starts from its pins) and replaces it only when it differs,
# so an unchanged lock does not make the next `make setup` reinstall.
lock: $(VENV)/.locked
	cp $(LOCK) $(VENV)/lock.new
	$(BIN)/uv pip compile pyproject.toml --extra dev --group pyproject.toml:install --generate-hashes \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu --custom-compile-command 'make lock' \
		--quiet $(LOCK_ARGS) --output-file $(VENV)/lock.new
	@if cmp -s $(VENV)/lock.new $(LOCK); then rm $(VENV)/lock.new; echo "$(LOCK) is unchanged"; \
	else mv $(VENV)/lock.new $(LOCK); echo "$(LOCK) updated: run make setup, then commit it"; fi

# pip-audit against the lock; deploy/audit.py reads its report and fails unless every package was checked
# and none has a known vulnerability (and says so when no vulnerability database could be reached).
audit: $(VENV)/.locked
	$(BIN)/python deploy/audit.py $(LOCK) $(AUDIT_ARGS)

# For developers: extract new messages into the catalogs, then list what is untranslated.
i18n: $(BIN)/.installed
	$(BIN)/python -m backend.i18n_tools update
	-$(BIN)/python -m backend.i18n_tools missing

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache locales/*/LC_MESSAGES/*.mo
