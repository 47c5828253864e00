"""What every side-by-side benchmark does before anything else: pin pyj4, OpenBLAS, OpenMP/MKL and
PyTorch to the same 2 threads, then import the optional peer (None when it is not installed)."""
import os
import time

THREADS = "2"
for var in ("PYJ4_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, THREADS)

try:
    import torch

    torch.set_num_threads(int(THREADS))
except ImportError:
    torch = None


# Worker threads of OpenBLAS, OpenMP (PyTorch) and ONNX Runtime keep spinning for up to ~0.2 s after
# a call returns, while pyj4's pool sleeps at once. A peer timed right after another one shares the
# two cores with the other's spinning threads and loses up to half its speed, so the benches pause
# this long before each timed block.
SETTLE_S = 0.3


def settle():
    time.sleep(SETTLE_S)


# Training runs for minutes, and the JVM compiles pyj4's fit loop while it runs: in the Java MLP bench
# the JIT compiled methods until about epoch 17 (5 s), its compiler threads taking a fifth of the CPU
# (perf) from the second core that the products need. The training benches therefore warm each peer
# up for this long before timing, as a long training run is by then.
TRAIN_WARMUP_S = 5.0


def alternate(fns, repeat, warmup=1, warmup_s=0.0):
    """Each peer ``warmup`` times and for at least ``warmup_s`` seconds, then ``repeat`` rounds
    alternating them: every run's seconds, per peer."""
    for fn in fns.values():
        start = time.perf_counter()
        runs = 0
        while runs < warmup or time.perf_counter() - start < warmup_s:
            fn()
            runs += 1
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            settle()  # the previous peer's spinning threads go to sleep first
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return times
