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


def alternate(fns, repeat, warmup=1):
    """Each peer ``warmup`` times, then ``repeat`` rounds alternating them: every run's seconds, per peer."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            settle()  # the previous peer's spinning threads go to sleep first
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return times
