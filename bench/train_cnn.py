"""Training a LeNet-5 style CNN on 1x28x28 images: pyj4 beside PyTorch CPU, 2 threads each, same
synthetic data and starting weights, in one process run.

    .venv/bin/python bench/train_cnn.py                    # pyj4 only when torch is not installed
    /tmp/torchvenv/bin/python bench/train_cnn.py --repeat 7   (with PYTHONPATH=. when pyj4 is not installed there)

Network: Conv 6@5x5 same + ReLU, MaxPool 2, Conv 16@5x5 valid + ReLU, MaxPool 2, Dense 120 ReLU,
Dense 84 ReLU, Dense 10; softmax cross-entropy from logits; Adam(1e-3); batch 64. pyj4 runs
channels_last ([N, 28, 28, 1]), PyTorch its native NCHW. Figure: samples/s of one epoch over
--samples samples (shuffle off, same batch order), median of --repeat runs after a warm-up, the peers
alternating run by run (the best run is printed too: on a loaded machine it is the figure closest
to a quiet one); the ratio is pyj4 / PyTorch (> 1: pyj4 faster). The epoch-1 loss of both
peers from the same weights is printed as a check that they compute the same thing (to about 1%: Keras
adds Adam's epsilon before the bias correction, PyTorch after, which shows on tiny gradients).
Threads: PYJ4_NUM_THREADS, OPENBLAS_NUM_THREADS, OMP/MKL and torch.set_num_threads are all 2.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

from _peers import THREADS, TRAIN_WARMUP_S, alternate, torch  # first: pins every peer to the same threads

import numpy as np  # noqa: E402

import pyj4 as pj  # noqa: E402
from pyj4 import nn  # noqa: E402


def data(n, seed=0):
    """Class-dependent blobs on noise, so that the loss is meaningful."""
    rng = np.random.default_rng(seed)
    templates = rng.standard_normal((10, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    x = (0.5 * templates[y] + rng.standard_normal((n, 28, 28, 1))).astype(np.float32)
    return x, y


def pyj4_model():
    pj.random.seed(0)
    model = nn.Sequential([
        nn.Input((28, 28, 1)),
        nn.Conv2D(6, 5, padding="same", activation="relu"), nn.MaxPooling2D(),
        nn.Conv2D(16, 5, activation="relu"), nn.MaxPooling2D(),
        nn.Flatten(), nn.Dense(120, activation="relu"), nn.Dense(84, activation="relu"), nn.Dense(10),
    ])
    model.compile(optimizer=nn.optimizers.Adam(1e-3), loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


class TorchLeNet(torch.nn.Module if torch else object):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = torch.nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = torch.nn.Linear(400, 120), torch.nn.Linear(120, 84), torch.nn.Linear(84, 10)

    def forward(self, x):
        F = torch.nn.functional
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        # pyj4's Flatten runs over (h, w, c); permute so that the first Dense reads the same order
        x = x.permute(0, 2, 3, 1).flatten(1)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x)))))


def torch_model(weights):
    """The same network from pyj4's weights (Keras HWIO kernels -> torch OIHW; Dense [in, out] -> [out, in])."""
    m = TorchLeNet()
    layers = [m.c1, m.c2, m.f1, m.f2, m.f3]
    with torch.no_grad():
        for i, layer in enumerate(layers):
            w, b = weights[2 * i], weights[2 * i + 1]
            w = w.transpose(3, 2, 0, 1) if w.ndim == 4 else w.T
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            layer.bias.copy_(torch.from_numpy(b))
    return m, torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)


def torch_epoch(model, opt, tx, ty, batch):
    losses = []
    for s in range(0, len(tx), batch):
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(tx[s:s + batch]), ty[s:s + batch])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return float(np.mean(losses))


def report(label, samples, steps, times):
    """Median (and best) samples/s per peer and the pyj4/torch ratios. On a loaded machine the medians
    swing with the load (PyTorch's OpenMP threads suffer most when a core is taken); the best run is
    the figure closest to a quiet machine."""
    med = {k: samples / statistics.median(v) for k, v in times.items()}
    best = {k: samples / min(v) for k, v in times.items()}
    for k in times:
        print(f"{label}: {k:<5} median {med[k]:>9,.0f} samples/s ({samples / med[k] / steps * 1e3:6.2f} ms/step)   "
              f"best {best[k]:>9,.0f} samples/s")
    if "torch" in times:
        print(f"{label}: ratio pyj4/torch  median {med['pyj4'] / med['torch']:.2f}x   best {best['pyj4'] / best['torch']:.2f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="1024 samples, 3 repeats (a smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.samples, args.repeat = 1024, 3
    batch = 64
    load = os.getloadavg()[0]

    x, y = data(args.samples)
    model = pyj4_model()
    weights = model.get_weights()
    peers = [f"pyj4 {pj.version()} ({pj.backend()} backend)"] + ([f"torch {torch.__version__}"] if torch else [])
    print(f"LeNet-5 style CNN 1x28x28, {args.samples} samples, batch {batch}, {THREADS} threads; medians of {args.repeat}; "
          + ", ".join(peers))

    first = model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0).history["loss"][0]
    line = f"epoch-1 mean loss: pyj4 {first:.4f}"
    fns = {"pyj4": lambda: model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)}
    if torch is not None:
        tm, topt = torch_model(weights)
        tx, ty = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))), torch.from_numpy(y)
        line += f", torch {torch_epoch(tm, topt, tx, ty, batch):.4f}"
        fns["torch"] = lambda: torch_epoch(tm, topt, tx, ty, batch)
    print(line)

    runs = alternate(fns, args.repeat, warmup_s=0 if args.quick else TRAIN_WARMUP_S)
    report(f"train, batch {batch}", args.samples, args.samples // batch, runs)
    print(f"load average: {load:.2f} at start, {os.getloadavg()[0]:.2f} at end ({os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
