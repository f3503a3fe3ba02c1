# Curator — one Makefile for set-up, tests, the demo, benchmarks and packaging.
# Works on a fresh Debian machine as root with no display; installs what it needs.

SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := $(UV) run --frozen
export UV_PYTHON ?= 3.11
PYTEST_TIMEOUT ?= 1500

# Debian packages Qt (offscreen and xcb), the Secret Service test and Xvfb need, and the tools
# the Linux bundle is built with (binutils: strip, readelf, objcopy, ld; icu-devtools: icupkg).
APT_PACKAGES := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 \
	libxcb-render-util0 libxcb-xinerama0 libxcb-image0 libxrender1 libxi6 \
	gnome-keyring dbus dbus-x11 xvfb xauth binutils icu-devtools
# A file the apt step leaves behind so it runs once per machine (and again when the list changes).
APT_STAMP := .make/apt-done-$(shell echo $(APT_PACKAGES) | cksum | cut -d' ' -f1)

.PHONY: setup uv sysdeps test demo bench dist screenshots lint audit clean

setup: uv sysdeps .make/synced

uv:
	@command -v uv >/dev/null 2>&1 || test -x $(HOME)/.local/bin/uv || \
	  { echo "installing uv from PyPI"; python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv; }

sysdeps:
	@mkdir -p .make
	@if [ ! -f $(APT_STAMP) ]; then \
	  missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "installing system packages: $$missing"; \
	      DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	    else echo "warning: missing system packages (install them yourself): $$missing"; fi; \
	  fi; \
	  touch $(APT_STAMP); \
	fi

.make/synced: pyproject.toml uv.lock
	$(UV) sync --frozen --group dev
	@touch $@

test: setup lint
	CI=$${CI:-} timeout -s KILL $(PYTEST_TIMEOUT) dbus-run-session -- bash tests/run_with_keyring.sh $(PY) pytest -q $(PYTEST_ARGS)

demo: setup
	$(PY) curator --demo

bench: setup
	$(PY) python bench/run_all.py

screenshots: setup
	QT_QPA_PLATFORM=offscreen $(PY) python -m curator.ui.screenshots docs/screenshots

# Static checks, part of `make test`: ruff (style, bugs, bandit's rules as S), mypy on the
# Qt-free packages (pyproject's [tool.mypy]), bandit on the shipped code (medium and up).
lint: setup
	$(PY) ruff check curator tests bench tools
	$(PY) mypy
	$(PY) bandit -q -c pyproject.toml -r curator -ll

# Known vulnerabilities in the locked dependencies. Needs PyPI's vulnerability data: from this
# workplace's registry mirror every package comes back "not found on PyPI", so it is not part
# of `make test`; run it where pypi.org's JSON API is reachable.
audit: setup
	$(UV) export --frozen --format requirements-txt --no-hashes --all-groups > .make/requirements.txt
	$(UV) tool run pip-audit -r .make/requirements.txt --no-deps --disable-pip --strict

clean:
	rm -rf .venv .make build dist .pytest_cache

# Packaging: the PyInstaller bundle (curator.spec; docs/INSTALL.md), then its checks: contents
# (no test or evaluation data, nothing key-like; size under budget), the headless self-test,
# and the window reaching its first paint offscreen. On Windows the console twin prints.
DIST_BIN := dist/curator/$(if $(filter Windows_NT,$(OS)),curator-cli.exe,curator)
# The size budget of the one-folder bundle; the Linux bundle is about 104 MB (docs/INSTALL.md).
DIST_MAX_MB ?= 120

.PHONY: dist-check dist-onefile

dist: setup
	$(UV) run --frozen --group dist pyinstaller --noconfirm --clean curator.spec
	@$(MAKE) --no-print-directory dist-check

dist-onefile: setup
	$(UV) run --frozen --group dist pyinstaller --noconfirm --clean --distpath dist/onefile curator.spec -- --onefile
	QT_QPA_PLATFORM=offscreen dist/onefile/curator$(if $(filter Windows_NT,$(OS)),.exe) --self-test

dist-check:
	$(UV) run --frozen --group dist python tools/check_bundle.py dist/curator --max-mb $(DIST_MAX_MB)
	QT_QPA_PLATFORM=offscreen $(DIST_BIN) --self-test
	@data=$$(mktemp -d) && trap 'rm -rf "$$data"' EXIT && \
	  CURATOR_DATA_DIR="$$data" CURATOR_EXIT_AFTER_SHOW=1 QT_QPA_PLATFORM=offscreen $(DIST_BIN)
