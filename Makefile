# pyj4 build. Two entry points, both idempotent and incremental:
#   make demo   set up everything that is missing, then run examples/quickstart.py
#   make test   same set-up, then every suite (JUnit, native, pytest); non-zero exit on any failure
# Set-up steps are file targets (stamps), so a second run only redoes what changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.SUFFIXES:

PYTHON       ?= python3
VENV         ?= .venv
GRADLE       ?= gradle
GRADLE_FLAGS ?= -q --console=plain
PYTEST_ARGS  ?=
EXAMPLE_MODEL ?= $(CURDIR)/build/examples/model.pyj4

VPY          := $(VENV)/bin/python
JARS_DIR     := pyj4/_lib/jars
VENV_STAMP   := $(VENV)/.pyj4-requirements.stamp
EDIT_STAMP   := $(VENV)/.pyj4-editable.stamp
NATIVE_STAMP := native/build/.pyj4-make.stamp
JARS_STAMP   := $(JARS_DIR)/.pyj4-make.stamp

# apt-get runs as root, through sudo when not root.
SUDO := $(shell if [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then echo sudo; fi)

# Inputs of each step (paths without spaces).
JAVA_INPUTS   := build.gradle settings.gradle $(wildcard gradle.properties) \
                 $(shell find java -type f -not -path '*/build/*' -not -path '*/.gradle/*' 2>/dev/null)
NATIVE_INPUTS := $(shell find native -type f -not -path 'native/build/*' 2>/dev/null)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export DEBIAN_FRONTEND := noninteractive

.PHONY: help demo test setup deps venv native jars install \
        test-java test-native test-python clean distclean

help:
	@echo "make demo         install what is missing, build everything, run examples/quickstart.py"
	@echo "make test         same set-up, then JUnit + native tests + pytest (fails on any failure)"
	@echo "make setup        only the set-up (system packages, .venv, native, jars, pip install -e .)"
	@echo "make test-java | test-native | test-python   one suite (after set-up)"
	@echo "make clean        remove build outputs (keeps .venv);  make distclean  also .venv"

demo: setup
	$(VPY) examples/quickstart.py

test: setup
	@failed=""; \
	echo "==> Java tests (gradle junit)"; \
	$(GRADLE) $(GRADLE_FLAGS) --continue junit || failed="$$failed java"; \
	if [ -f native/test.sh ]; then \
	  echo "==> native tests (native/test.sh)"; \
	  bash native/test.sh || failed="$$failed native"; \
	fi; \
	echo "==> Python tests (pytest, default backend)"; \
	$(VPY) -m pytest tests -q $(PYTEST_ARGS) || failed="$$failed python"; \
	echo "==> Python operator and predict tests without the C fast paths (PYJ4_ACCEL=0)"; \
	PYJ4_ACCEL=0 $(VPY) -m pytest tests/test_operator_fast_path.py tests/test_nn_predict_path.py -q -p no:cacheprovider || failed="$$failed python-no-accel"; \
	echo "==> Python array tests on the Java reference backend (PYJ4_BACKEND=java)"; \
	PYJ4_BACKEND=java $(VPY) -m pytest tests/test_arrays.py tests/test_arrays_hypothesis.py -q -p no:cacheprovider || failed="$$failed python-java-backend"; \
	echo "==> examples: quickstart, then the saved model read by a plain Java program"; \
	{ $(VPY) examples/quickstart.py --model $(EXAMPLE_MODEL) && \
	  PYTHON=$(VPY) bash examples/java/run.sh $(EXAMPLE_MODEL) examples/java/digits-sample.csv --min-match=0.8; } || failed="$$failed examples"; \
	if [ -n "$$failed" ]; then echo "==> FAILED suites:$$failed"; exit 1; fi; \
	echo "==> all suites passed"

test-java: setup
	$(GRADLE) $(GRADLE_FLAGS) --continue junit

test-native: setup
	if [ -f native/test.sh ]; then bash native/test.sh; else echo "no native/test.sh"; fi

# pytest exits 5 when it collects no tests: any non-zero status fails.
test-python: setup
	$(VPY) -m pytest tests -q $(PYTEST_ARGS)

setup: install jars

# ---- Debian packages: checked on every run (dpkg-query, fast); apt-get only when some are missing.
# A package counts as present if dpkg has it or, for tools, the tool works (e.g. another JDK 17+).
deps:
	@missing=""; \
	have_pkg() { command -v dpkg-query >/dev/null 2>&1 && \
	  dpkg-query -W -f='$${Status}' "$$1" 2>/dev/null | grep -q 'ok installed'; }; \
	need() { pkg=$$1; shift; have_pkg "$$pkg" && return 0; \
	  if [ $$# -gt 0 ] && eval "$$*" >/dev/null 2>&1; then return 0; fi; \
	  missing="$$missing $$pkg"; }; \
	need gradle 'command -v gradle'; \
	need openjdk-17-jdk-headless 'javac -version 2>&1 | grep -Eq "javac (1[7-9]|[2-9][0-9])"'; \
	need cmake 'command -v cmake'; \
	need g++ 'command -v g++'; \
	need make 'command -v make'; \
	need libgtest-dev; \
	need libopenblas-dev; \
	if command -v $(PYTHON) >/dev/null 2>&1 && ! $(PYTHON) -c 'import os, sysconfig, sys; \
	  sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' >/dev/null 2>&1; then \
	  missing="$$missing python3-dev"; fi; \
	if ! command -v $(PYTHON) >/dev/null 2>&1; then missing="$$missing python3 python3-dev python3-venv"; \
	elif ! $(VPY) -c '' >/dev/null 2>&1 && ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	  missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing system packages:$$missing"; \
	  $(SUDO) apt-get update -q; \
	  $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

# ---- Python virtual environment with the pinned packages ----
venv: $(VENV_STAMP)
$(VENV_STAMP): requirements.txt | deps
	@if ! $(VPY) -c '' >/dev/null 2>&1; then \
	  echo "==> creating $(VENV) with $$(command -v $(PYTHON))"; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); \
	fi
	@$(VPY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "pyj4 needs Python >= 3.10; found " + sys.version)'
	@echo "==> installing pinned Python packages (requirements.txt)"
	$(VPY) -m pip install -q --progress-bar off -r requirements.txt
	@touch $@

# ---- native libraries (CMake), if native/build.sh exists ----
native: $(NATIVE_STAMP)
$(NATIVE_STAMP): $(NATIVE_INPUTS) | deps
	@if [ -f native/build.sh ]; then echo "==> native build (native/build.sh)"; bash native/build.sh; fi
	@mkdir -p $(@D) && touch $@

# ---- jars: every module's runtime jars into pyj4/_lib/jars (after native, which they may embed) ----
jars: $(JARS_STAMP)
$(JARS_STAMP): $(JAVA_INPUTS) $(NATIVE_STAMP) | deps
	@echo "==> Java build (gradle copyRuntimeJars)"
	rm -rf $(JARS_DIR)
	$(GRADLE) $(GRADLE_FLAGS) copyRuntimeJars
	@ls $(JARS_DIR)/*.jar >/dev/null 2>&1 || { echo "no jars in $(JARS_DIR) after the Gradle build" >&2; exit 1; }
	@touch $@

# ---- pyj4 itself, editable, into .venv ----
install: $(EDIT_STAMP)
# setup.py builds the optional C extension pyj4/_accel (the operator fast path) in place.
$(EDIT_STAMP): pyproject.toml setup.py pyj4/_accel.c $(VENV_STAMP)
	@echo "==> pip install -e . (into $(VENV))"
	$(VPY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $@

clean:
	rm -rf pyj4/_lib pyj4/_accel*.so native/build build java/*/build *.egg-info
	find pyj4 tests examples -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true

distclean: clean
	rm -rf $(VENV) .gradle .pytest_cache .hypothesis
