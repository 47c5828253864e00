#!/bin/sh
# Fails if any function outside the avx2/avx512 kernel namespaces contains AVX instructions: such
# code would crash (SIGILL) on a baseline x86-64 CPU. Catches inline functions from headers that
# the linker merged from an AVX-compiled file.
set -eu
lib="$1"
bad=$(objdump -d --no-show-raw-insn -C "$lib" |
  awk '/^[0-9a-f]+ <.*>:$/ { fn = $0; next }
       /\tv[a-z]|%[yz]mm|%k[0-7]/ { if (!(fn in seen)) { seen[fn] = 1; print fn } }' |
  grep -v 'pj::cpu::avx2::\|pj::cpu::avx512::' || true)
if [ -n "$bad" ]; then
  echo "AVX instructions outside the per-ISA kernels:"; echo "$bad"; exit 1
fi
echo "ok: AVX code only in pj::cpu::avx2 / pj::cpu::avx512"
