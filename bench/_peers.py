"""What every side-by-side benchmark does before anything else: pin pyj4, OpenBLAS, OpenMP/MKL and
PyTorch to the same 2 threads, then import the optional peer (None when it is not installed)."""
import os

THREADS = "2"
for var in ("PYJ4_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, THREADS)

try:
    import torch

    torch.set_num_threads(int(THREADS))
except ImportError:
    torch = None
