#!/usr/bin/env bash
# Compiles examples/java/PredictDemo.java with plain javac against pyj4's jars and runs it: a Java
# program that loads the model file Python saved and prints predictions. No Python runs the model;
# Python is only asked where the jars are (python -m pyj4 classpath).
#
#   examples/java/run.sh [MODEL] [INPUT] [--min-match=FRACTION]
#
# MODEL defaults to the file examples/quickstart.py saves (make demo); INPUT defaults to
# examples/java/digits-sample.csv (12 digits in the quickstart's format). PYTHON picks the
# interpreter that has pyj4 installed (default: .venv/bin/python when present, else python3).
# With --min-match, the run fails (status 1) when fewer predictions than that fraction match the
# labels the input file gives (digits-sample.csv has them): a check for make test.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$root/.venv/bin/python" ]; then PYTHON="$root/.venv/bin/python"; else PYTHON=python3; fi
fi

tmp="${TMPDIR:-/tmp}"
model="${1:-$tmp/pyj4-quickstart/model.pyj4}"
input="${2:-$here/digits-sample.csv}"
if [ ! -f "$model" ]; then
  echo "examples/java/run.sh: no model file at $model" >&2
  echo "  save one first (make demo, or: $PYTHON examples/quickstart.py --model $model), or pass MODEL" >&2
  exit 1
fi

classpath="$("$PYTHON" -m pyj4 classpath)"
build="$(mktemp -d "$tmp/pyj4-predict-demo.XXXXXX")"
trap 'rm -rf "$build"' EXIT

javac -d "$build" -cp "$classpath" "$here/PredictDemo.java"
java -cp "$classpath:$build" PredictDemo "$model" "$input" "${@:3}"
