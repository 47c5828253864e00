"""pyj4 beside NumPy (and PyTorch CPU when installed) on the same data, in one process run.

    .venv/bin/python bench/ops.py                 # default backend, 2 threads
    PYJ4_BACKEND=java .venv/bin/python bench/ops.py --quick

Each figure is the median of --repeat blocks of 3 timed calls after a warm-up, the peers alternating block by block;
the last column is pyj4's speed relative to NumPy (>1: pyj4 faster). NumPy runs its elementwise ops
and reductions on one core; its sgemm uses OpenBLAS with as many threads as OPENBLAS_NUM_THREADS
allows (pinned to 2 here). These machines set OPENBLAS_CORETYPE=Haswell; NumPy obeys it, so the
"unset" run (--coretype-unset, a child process) shows what OpenBLAS does when left to pick its kernel.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

THREADS = "2"
TINY_LOOP = 2000  # calls per timed sample of the per-call case (one call is too short to time)
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)
os.environ.setdefault("OMP_NUM_THREADS", THREADS)

import numpy as np  # noqa: E402

import pyj4 as pj  # noqa: E402

try:
    import torch  # noqa: E402

    torch.set_num_threads(int(THREADS))
except ImportError:
    torch = None


def median_time(fn, repeat, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# The peers alternate in short blocks of calls, with a pause before each block (see _peers.settle:
# other peers' worker threads keep spinning after a call). Each block starts with untimed calls for
# WAKE_S (at least one), which wake the peer's threads and the VM's idle vCPUs (on these VMs a core
# idle for a while runs its first few hundred microseconds of work slowly: one sgemm n=256 call
# took 620, 540 then 450 us after a pause), then BLOCK timed calls. A fixed time rather than one
# call, so that every peer gets the same warm-up: NumPy's first call alone spins OpenBLAS' threads
# for milliseconds.
SETTLE_S = 0.3
WAKE_S = 0.005
BLOCK = 3


def side_by_side(fns, repeat, warmup=3):
    """Alternates the peers block by block so that machine noise hits all of them alike."""
    for fn in fns.values():  # warm-up, also for the JIT
        for _ in range(warmup):
            fn()
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            time.sleep(SETTLE_S)
            woke = time.perf_counter()
            fn()
            while time.perf_counter() - woke < WAKE_S:
                fn()
            for _ in range(BLOCK):
                t0 = time.perf_counter()
                fn()
                times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def sync(x):
    """Forces a pyj4 result: ops are synchronous today, this keeps the bench honest if that changes."""
    return x


def cases(quick):
    n_elem = 1 << 20 if quick else 16 << 20
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n_elem, dtype=np.float32)
    y = rng.standard_normal(n_elem, dtype=np.float32)
    px, py = pj.asarray(x), pj.asarray(y)
    tx, ty = (torch.from_numpy(x), torch.from_numpy(y)) if torch else (None, None)
    out = []
    for n in ([256] if quick else [256, 1024, 2048]):
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        pa, pb = pj.asarray(a), pj.asarray(b)
        ta, tb = (torch.from_numpy(a), torch.from_numpy(b)) if torch else (None, None)
        out.append((f"sgemm n={n}", 2 * n**3, "GFLOP/s", lambda a=a, b=b: a @ b, lambda pa=pa, pb=pb: pa @ pb,
                    (lambda ta=ta, tb=tb: ta @ tb) if torch else None))
    elementwise = [
        ("add", lambda: x + y, lambda: px + py, lambda: tx + ty),
        ("mul", lambda: x * y, lambda: px * py, lambda: tx * ty),
        ("exp", lambda: np.exp(x), lambda: pj.exp(px), lambda: torch.exp(tx)),
        ("tanh", lambda: np.tanh(x), lambda: pj.tanh(px), lambda: torch.tanh(tx)),
        ("sum", lambda: x.sum(), lambda: px.sum(), lambda: tx.sum()),
        ("max", lambda: x.max(), lambda: px.max(), lambda: tx.max()),
    ]
    for name, f_np, f_pj, f_t in elementwise:
        out.append((f"{name} {n_elem >> 20}M f32", n_elem, "Gelem/s", f_np, f_pj, f_t if torch else None))
    small_np = np.ones(4, np.float32)
    small_pj = pj.asarray(small_np)
    small_t = torch.from_numpy(small_np) if torch else None
    def loop(fn, n=TINY_LOOP):
        def run():
            for _ in range(n):
                fn()
        return run

    out.append(("tiny add (4 elem) per call", None, "us/call", loop(lambda: small_np + small_np),
                loop(lambda: small_pj + small_pj), loop(lambda: small_t + small_t) if torch else None))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, few repeats (a smoke run)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--coretype-unset", action="store_true", help="also run NumPy sgemm with OPENBLAS_CORETYPE unset")
    ap.add_argument("--numpy-gemm-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.numpy_gemm_only:
        for n in (1024, 2048):
            a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
            t = median_time(lambda: a @ a, args.repeat)
            print(f"  numpy sgemm n={n} with OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}: "
                  f"{2 * n**3 / t / 1e9:.1f} GFLOP/s")
        return
    repeat = 3 if args.quick else args.repeat
    print(f"pyj4 {pj.version()} backend={pj.backend()}  numpy {np.__version__}"
          + (f"  torch {torch.__version__}" if torch else "  (torch not installed)")
          + f"  threads={THREADS}  OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    header = f"{'case':30s} {'unit':>8s} {'numpy':>10s} {'pyj4':>10s}" + (f" {'torch':>10s}" if torch else "") + \
        f" {'pyj4/numpy':>11s}" + (f" {'pyj4/torch':>11s}" if torch else "")
    print(header)
    # Steady state, as in a training loop or a service: the JVM compiles pyj4's call path after some
    # 10^4 calls (before that a call costs 5-20x more); NumPy and PyTorch need no such warm-up.
    tiny = pj.asarray(np.ones((4, 4), np.float32))
    for _ in range(2000 if args.quick else 20000):
        tiny @ tiny, tiny + tiny, tiny * 2.0, pj.exp(tiny), tiny.sum(), tiny.max()
    for name, work, unit, f_np, f_pj, f_t in cases(args.quick):
        fns = {"numpy": f_np, "pyj4": lambda f=f_pj: sync(f())}
        if f_t:
            fns["torch"] = f_t
        # The per-call case warms up longer: the JVM compiles the call path after some 10^4 calls.
        t = side_by_side(fns, repeat, warmup=20 if work is None else 3)
        if work is None:  # latency: lower is better, ratio = numpy time / pyj4 time
            vals = {k: v * 1e6 / TINY_LOOP for k, v in t.items()}
        else:
            vals = {k: work / v / 1e9 for k, v in t.items()}
        ratio_np = t["numpy"] / t["pyj4"]
        line = f"{name:30s} {unit:>8s} {vals['numpy']:10.2f} {vals['pyj4']:10.2f}"
        if torch:
            line += f" {vals['torch']:10.2f}"
        line += f" {ratio_np:10.2f}x"
        if torch:
            line += f" {t['torch'] / t['pyj4']:10.2f}x"
        print(line, flush=True)
    if args.coretype_unset:
        env = dict(os.environ)
        env.pop("OPENBLAS_CORETYPE", None)
        subprocess.run([sys.executable, __file__, "--numpy-gemm-only", "--repeat", str(repeat)], env=env, check=True)


if __name__ == "__main__":
    main()
