"""Moving arrays between Python and the JVM: pyj4's zero-copy paths beside the copying bridge.

Round trips, timed per call (the release of what the call made included), medians:

  numpy   zero-copy   pj.asarray(a).numpy()                   NumPy -> NDArray -> NumPy view
          copy        np.array(JArray(JFloat)(a))              NumPy -> Java float[] -> NumPy
  pyarrow zero-copy   pj.to_arrow(pj.from_arrow(arr))          pyarrow -> NDArray -> pyarrow
          copy        pa.array(np.array(JArray(JFloat)(...)))  pyarrow -> Java float[] -> pyarrow
  C Data  (info)      pyarrow -> Arrow Java vector (C Data Interface) -> NDArray: the mechanism
                      pyj4 uses for record batch streams, timed to show why single arrays use a
                      direct wrap instead: its fixed cost is higher, and Arrow Java allocates and
                      fills a validity bitmap (n/8 bytes) for an array that has none, so it grows
                      with the size

Usage: python bench/transfer.py [--sizes 1KB,1MB,256MB,1GB] [--repeats 200]
The copy path runs fewer times at large sizes (a 1 GB copy takes seconds).
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time

import jpype
import numpy as np
import pyarrow as pa

import pyj4 as pj

UNITS = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}


def parse_size(s: str) -> int:
    s = s.strip().upper()
    for unit, factor in UNITS.items():
        if s.endswith(unit):
            return int(float(s[: -len(unit)]) * factor)
    return int(s)


def label(nbytes: int) -> str:
    for unit in ("GB", "MB", "KB"):
        if nbytes >= UNITS[unit]:
            return f"{nbytes / UNITS[unit]:g} {unit}"
    return f"{nbytes} B"


def median_time(fn, repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times) / 1e9


def copy_repeats(nbytes: int) -> int:
    return 30 if nbytes <= (1 << 20) * 4 else 3 if nbytes <= (1 << 28) else 2


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1KB,1MB,256MB,1GB")
    ap.add_argument("--repeats", type=int, default=200, help="timed calls of each zero-copy path")
    args = ap.parse_args()

    pj.backend()  # start the JVM before timing anything
    JFloatArray = jpype.JArray(jpype.JFloat)
    ArrowArray = jpype.JClass("org.apache.arrow.c.ArrowArray")
    ArrowSchema = jpype.JClass("org.apache.arrow.c.ArrowSchema")
    Data = jpype.JClass("org.apache.arrow.c.Data")
    ArrowTensors = jpype.JClass("org.pyj4.arrow.ArrowTensors")
    allocator = jpype.JClass("org.pyj4.arrow.ArrowMemory").root()

    def cdata_round_trip(arr):
        c_array, c_schema = ArrowArray.allocateNew(allocator), ArrowSchema.allocateNew(allocator)
        arr._export_to_c(int(c_array.memoryAddress()), int(c_schema.memoryAddress()))
        vector = Data.importVector(allocator, c_array, c_schema, None)
        x = ArrowTensors.toNDArray(vector)
        vector.close()
        c_array.close()
        c_schema.close()
        x.close()

    print(f"pyj4 {pj.version()}, backend {pj.backend()}, numpy {np.__version__}, pyarrow {pa.__version__}, "
          f"jpype {jpype.__version__}, java {'.'.join(map(str, jpype.getJVMVersion()))}, python {sys.version.split()[0]}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians; zero-copy paths {args.repeats} calls each, copy paths 30 / 3 / 2 calls by size\n")
    # Warm up every path first (JIT compilation of the Java side), so the first size is not penalised.
    small = np.arange(256, dtype=np.float32)
    small_arrow = pa.array(small)
    for _ in range(2000):
        pj.asarray(small).numpy()
        pj.to_arrow(pj.from_arrow(small_arrow))
    for _ in range(200):
        cdata_round_trip(small_arrow)
        np.array(JFloatArray(small))

    rows = []
    for size in [parse_size(s) for s in args.sizes.split(",")]:
        n = size // 4
        a = np.arange(n, dtype=np.float32)
        arr = pa.array(a)

        # Zero-copy results must be the very same memory; copies must hold the same values.
        x = pj.asarray(a)
        assert x.numpy().ctypes.data == a.ctypes.data
        t = pj.to_arrow(pj.from_arrow(arr))
        assert t.buffers()[1].address == arr.buffers()[1].address
        del x, t
        probe = np.array(JFloatArray(a[:1024]))
        assert np.array_equal(probe, a[:1024])

        gc.collect()
        zc_np = median_time(lambda: pj.asarray(a).numpy(), args.repeats, warmup=20)
        zc_pa = median_time(lambda: pj.to_arrow(pj.from_arrow(arr)), args.repeats, warmup=20)
        cd_pa = median_time(lambda: cdata_round_trip(arr), min(args.repeats, 100), warmup=10)
        reps = copy_repeats(size)
        cp_np = median_time(lambda: np.array(JFloatArray(a)), reps, warmup=1)
        cp_pa = median_time(lambda: pa.array(np.array(JFloatArray(arr.to_numpy()))), reps, warmup=1)
        rows.append((label(size), "numpy", zc_np, cp_np))
        rows.append((label(size), "pyarrow", zc_pa, cp_pa))
        rows.append((label(size), "pyarrow (C Data -> Arrow Java)", cd_pa, cp_pa))
        del a, arr
        gc.collect()
        print(f"  {label(size)} done", file=sys.stderr)

    print("| size | round trip | zero-copy (pyj4) | copy (JArray / float[]) | copy / zero-copy |")
    print("| --- | --- | --- | --- | --- |")
    for size, path, zc, cp in rows:
        ratio = cp / zc
        print(f"| {size} | {path} | {fmt(zc)} | {fmt(cp)} | {ratio:,.0f}x |" if ratio >= 10 else
              f"| {size} | {path} | {fmt(zc)} | {fmt(cp)} | {ratio:.2g}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
