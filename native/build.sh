#!/usr/bin/env bash
# Builds the native CPU backend (CMake, Release, -j2) into native/build/ and stages what the
# backend-cpu jar carries as resources under native/build/jar-resources/:
#   org/pyj4/backend/cpu/linux-x86_64/libpyj4cpu.so         our kernels + JNI glue
#   org/pyj4/backend/cpu/linux-x86_64/libscipy_openblas.so  OpenBLAS (pinned wheel, see below)
#   org/pyj4/backend/cpu/linux-x86_64/native.properties     file list + SHA-256 (names the cache dir)
#
# OpenBLAS comes from the PyPI wheel scipy-openblas32 (pinned version and hash): a DYNAMIC_ARCH
# build whose symbols carry a "scipy_" prefix, so it never clashes with another OpenBLAS in the
# process (NumPy's included), and which needs nothing but glibc. Without network (or with
# PYJ4_BUNDLE_OPENBLAS=0) the jar ships without it and the backend uses the system's
# libopenblas.so.0 if present, else its own (slower) loops.
#
# Environment: PYJ4_JOBS (default 2), PYJ4_CMAKE_ARGS (extra configure args), PYJ4_BUNDLE_OPENBLAS.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="$here/build"
stage="$build/jar-resources/org/pyj4/backend/cpu/linux-x86_64"
OPENBLAS_WHEEL="scipy-openblas32==0.3.34.481.3"
OPENBLAS_SHA256="0595f94cd58c1f8a0d90c975621f4587337a003916b1979e834ebdf2cb5d9504"

# shellcheck disable=SC2086
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release ${PYJ4_CMAKE_ARGS:-}
cmake --build "$build" -j "${PYJ4_JOBS:-2}"

# A Python with pip: the project's .venv, else python3 (pip only downloads, never installs).
pick_pip_python() {
  for py in "$here/../.venv/bin/python" python3; do
    if "$py" -m pip --version >/dev/null 2>&1; then echo "$py"; return 0; fi
  done
  return 1
}

fetch_openblas() {
  local deps="$build/deps" lib="$build/deps/libscipy_openblas.so"
  [ -f "$lib" ] && return 0
  local py
  py="$(pick_pip_python)" || { echo "native/build.sh: no pip found; OpenBLAS not bundled" >&2; return 1; }
  mkdir -p "$deps/wheel"
  printf '%s --hash=sha256:%s\n' "$OPENBLAS_WHEEL" "$OPENBLAS_SHA256" > "$deps/requirements.txt"
  "$py" -m pip download -q --no-deps --only-binary=:all: --require-hashes \
      --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation py \
      -r "$deps/requirements.txt" -d "$deps/wheel" || return 1
  "$py" - "$deps/wheel" "$lib" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/scipy_openblas32-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/lib/libscipy_openblas.so"))
    with z.open(name) as src, open(sys.argv[2] + ".tmp", "wb") as dst:
        dst.write(src.read())
PY
  mv "$lib.tmp" "$lib"
}

rm -rf "$build/jar-resources"
mkdir -p "$stage"
cp "$build/lib/libpyj4cpu.so" "$stage/"
files="libpyj4cpu.so"
if [ "${PYJ4_BUNDLE_OPENBLAS:-1}" != "0" ]; then
  if fetch_openblas; then
    cp "$build/deps/libscipy_openblas.so" "$stage/"
    files="$files,libscipy_openblas.so"
  else
    echo "native/build.sh: could not fetch $OPENBLAS_WHEEL; the jar will use the system OpenBLAS" >&2
  fi
fi

# The file list with hashes; its own hash names the extraction directory (content-addressed cache).
{
  echo "files=$files"
  for f in ${files//,/ }; do
    echo "$f.sha256=$(sha256sum "$stage/$f" | cut -d' ' -f1)"
    echo "$f.size=$(stat -c %s "$stage/$f")"
  done
} > "$stage/native.properties.tmp"
echo "id=$(sha256sum "$stage/native.properties.tmp" | cut -c1-16)" >> "$stage/native.properties.tmp"
mv "$stage/native.properties.tmp" "$stage/native.properties"
echo "native/build.sh: staged $files in ${stage#"$here/"}"
