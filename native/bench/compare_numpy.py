"""pyj4's native CPU kernels against NumPy in one process, alternating, on the same arrays.

Calls libpyj4cpu.so through ctypes (its C ABI; no JVM), so the figures are the kernels' own.
    python native/bench/compare_numpy.py [--lib native/build/lib/libpyj4cpu.so] [--blas PATH] [--gemm]
Prints medians of 7 runs after a warm-up, in Gelem/s (GFLOP/s for GEMM), and the ratio.
"""
import argparse
import ctypes
import os
import time

import numpy as np

MAX_RANK = 16
BEST = False  # --best: the fastest run instead of the median (robust on a shared, noisy machine)
DTYPES = {np.dtype(np.float32): 8, np.dtype(np.float64): 9, np.dtype(np.int64): 5}
UNARY = {"exp": 9, "log": 11, "tanh": 18, "sigmoid": 19}
BINARY = {"add": 0, "mul": 2}
REDUCE = {"sum": 0, "max": 2}


class Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("byte_size", ctypes.c_int64), ("dtype", ctypes.c_int32),
                ("rank", ctypes.c_int32), ("offset", ctypes.c_int64), ("flags", ctypes.c_uint32),
                ("reserved", ctypes.c_uint32), ("shape", ctypes.c_int64 * MAX_RANK),
                ("strides", ctypes.c_int64 * MAX_RANK)]


def tensor(a):
    t = Tensor()
    t.data = a.ctypes.data
    t.byte_size = a.nbytes
    t.dtype = DTYPES[a.dtype]
    t.rank = a.ndim
    for d in range(a.ndim):
        t.shape[d] = a.shape[d]
        t.strides[d] = a.strides[d] // a.itemsize
    return ctypes.byref(t)


def median(f, reps=7):
    f()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2] if not BEST else min(times)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", default=os.path.join(here, "..", "build", "lib", "libpyj4cpu.so"))
    parser.add_argument("--blas", default=os.path.join(here, "..", "build", "deps", "libscipy_openblas.so"))
    parser.add_argument("--gemm", action="store_true", help="also compare sgemm (n = 1024, 2048, 4096)")
    parser.add_argument("--n", type=int, default=16 << 20)
    parser.add_argument("--best", action="store_true", help="report the fastest of the runs, not the median")
    args = parser.parse_args()
    global BEST
    BEST = args.best
    lib = ctypes.CDLL(args.lib)
    lib.pj_last_error.restype = ctypes.c_char_p
    lib.pj_cpu_info.restype = ctypes.c_char_p

    def check(status):
        if status != 0:
            raise RuntimeError(lib.pj_last_error().decode())

    n = args.n
    a = ((np.arange(n, dtype=np.int64) * 7919) % 20001).astype(np.float32) / 2000 - 5
    b = np.full(n, 1.5, np.float32)
    pos = np.abs(a) + 0.5
    out = np.empty_like(a)
    scalar = np.zeros(1, np.float32).reshape(1)
    axis = (ctypes.c_int32 * 1)(0)
    ta, tb, tpos, tout, tscalar = tensor(a), tensor(b), tensor(pos), tensor(out), tensor(scalar)
    numpy_ops = {
        "add": lambda: np.add(a, b, out=out), "mul": lambda: np.multiply(a, b, out=out),
        "exp": lambda: np.exp(a, out=out), "log": lambda: np.log(pos, out=out), "tanh": lambda: np.tanh(a, out=out),
        "sigmoid": lambda: np.divide(1.0, 1.0 + np.exp(-a), out=out),
        "sum": lambda: a.sum(), "max": lambda: a.max(),
    }

    def pyj4(name):
        if name in BINARY:
            return lambda: check(lib.pj_cpu_binary(BINARY[name], ta, tb, tout))
        if name in UNARY:
            return lambda: check(lib.pj_cpu_unary(UNARY[name], tpos if name == "log" else ta, tout))
        return lambda: check(lib.pj_cpu_reduce(REDUCE[name], ta, axis, 1, tscalar))

    print(lib.pj_cpu_info().decode())
    print(f"{n} float32, Gelem/s ({'best' if BEST else 'medians'} of 7; numpy elementwise is single-threaded)")
    print(f"{'op':8s} {'numpy':>7s} {'pyj4 1t':>8s} {'pyj4 2t':>8s} {'2t/numpy':>9s}")
    for name, numpy_op in numpy_ops.items():
        lib.pj_cpu_set_threads(1)
        one = n / median(pyj4(name)) * 1e-9
        ref = n / median(numpy_op) * 1e-9
        lib.pj_cpu_set_threads(2)
        two = n / median(pyj4(name)) * 1e-9
        print(f"{name:8s} {ref:7.2f} {one:8.2f} {two:8.2f} {two / ref:8.2f}x")

    if args.gemm:
        if args.blas and os.path.exists(args.blas):
            check(lib.pj_cpu_load_blas(args.blas.encode()))
        for m in (1024, 2048, 4096):
            x = np.random.rand(m, m).astype(np.float32)
            y = np.random.rand(m, m).astype(np.float32)
            z = np.empty((m, m), np.float32)
            tx, ty, tz = tensor(x), tensor(y), tensor(z)
            reps = 3 if m == 4096 else 7
            mine = 2 * m ** 3 / median(lambda: check(lib.pj_cpu_matmul(tx, ty, tz)), reps) * 1e-9
            ref = 2 * m ** 3 / median(lambda: np.matmul(x, y, out=z), reps) * 1e-9
            print(f"sgemm n={m}: numpy {ref:6.1f}  pyj4 {mine:6.1f} GFLOP/s  ({mine / ref:.2f}x)")
        print(lib.pj_cpu_info().decode())


if __name__ == "__main__":
    main()
