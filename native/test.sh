#!/usr/bin/env bash
# Native tests: builds (native/build.sh, incremental), then runs the GoogleTest suite and the ISA
# isolation check through ctest.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/build.sh"  # incremental: brings the library and the staged jar resources up to date
cmake --build "$here/build" -j "${PYJ4_JOBS:-2}" --target pyj4cpu pyj4_cpu_tests pyj4_cpu_tests_wide pyj4_bench
ctest --test-dir "$here/build" --output-on-failure -j "${PYJ4_JOBS:-2}"
