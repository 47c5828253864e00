"""Training an LSTM (input 32, hidden 128, 50 steps) with a linear head: pyj4 beside PyTorch CPU, 2
threads each, same synthetic data and starting weights, in one process run.

    .venv/bin/python bench/train_lstm.py                    # pyj4 only when torch is not installed
    /tmp/torchvenv/bin/python bench/train_lstm.py --repeat 7   (with PYTHONPATH=. when pyj4 is not installed there)

Network: LSTM(128) over [batch, 50, 32] (its last output), Dense 10; softmax cross-entropy from
logits; Adam(1e-3); batch 32. Keras' gate order i, f, c, o is PyTorch's i, f, g, o, so the weights
carry over transposed (PyTorch's second bias is zero). Figure: samples/s of one epoch over --samples
samples (shuffle off, same batch order), median of --repeat runs after a warm-up, the peers
alternating run by run (the best run is printed too: on a loaded machine it is the figure closest
to a quiet one); the ratio is pyj4 / PyTorch (> 1: pyj4 faster). The epoch-1 loss of both
peers from the same weights is printed as a check that they compute the same thing (to about 1%: Keras
adds Adam's epsilon before the bias correction, PyTorch after, which shows on tiny gradients).
Threads: PYJ4_NUM_THREADS, OPENBLAS_NUM_THREADS, OMP/MKL and torch.set_num_threads are all 2.
"""
from __future__ import annotations

import argparse
import os
import sys

from _peers import THREADS, TRAIN_WARMUP_S, alternate, torch  # first: pins every peer to the same threads

import numpy as np  # noqa: E402

import pyj4 as pj  # noqa: E402
from pyj4 import nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_cnn import report  # noqa: E402

STEPS, FEATURES, UNITS, CLASSES = 50, 32, 128, 10


def data(n, seed=0):
    """The label is which of 10 directions the sequence drifts along (noise on top)."""
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((CLASSES, FEATURES)).astype(np.float32)
    y = rng.integers(0, CLASSES, n).astype(np.int64)
    drift = np.linspace(0, 1, STEPS, dtype=np.float32)[None, :, None] * directions[y][:, None, :]
    return (drift + rng.standard_normal((n, STEPS, FEATURES))).astype(np.float32), y


def pyj4_model():
    pj.random.seed(0)
    model = nn.Sequential([nn.Input((STEPS, FEATURES)), nn.LSTM(UNITS), nn.Dense(CLASSES)])
    model.compile(optimizer=nn.optimizers.Adam(1e-3), loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


class TorchLSTM(torch.nn.Module if torch else object):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(FEATURES, UNITS, batch_first=True)
        self.head = torch.nn.Linear(UNITS, CLASSES)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def torch_model(weights):
    """The same network from pyj4's weights: kernel [in, 4H] -> weight_ih [4H, in] (same gate order)."""
    kernel, recurrent, bias, dense_w, dense_b = weights
    m = TorchLSTM()
    with torch.no_grad():
        m.lstm.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(kernel.T)))
        m.lstm.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(recurrent.T)))
        m.lstm.bias_ih_l0.copy_(torch.from_numpy(bias))
        m.lstm.bias_hh_l0.zero_()
        m.head.weight.copy_(torch.from_numpy(np.ascontiguousarray(dense_w.T)))
        m.head.bias.copy_(torch.from_numpy(dense_b))
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="512 samples, 3 repeats (a smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.samples, args.repeat = 512, 3
    batch = 32
    load = os.getloadavg()[0]

    x, y = data(args.samples)
    model = pyj4_model()
    weights = model.get_weights()
    peers = [f"pyj4 {pj.version()} ({pj.backend()} backend)"] + ([f"torch {torch.__version__}"] if torch else [])
    print(f"LSTM in {FEATURES}, hidden {UNITS}, {STEPS} steps + linear head, {args.samples} samples, batch {batch}, "
          f"{THREADS} threads; medians of {args.repeat}; " + ", ".join(peers))

    first = model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0).history["loss"][0]
    line = f"epoch-1 mean loss: pyj4 {first:.4f}"
    fns = {"pyj4": lambda: model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)}
    if torch is not None:
        tm, topt = torch_model(weights)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        line += f", torch {torch_epoch(tm, topt, tx, ty, batch):.4f}"
        fns["torch"] = lambda: torch_epoch(tm, topt, tx, ty, batch)
    print(line)

    runs = alternate(fns, args.repeat, warmup_s=0 if args.quick else TRAIN_WARMUP_S)
    report(f"train, batch {batch}", args.samples, args.samples // batch, runs)
    print(f"load average: {load:.2f} at start, {os.getloadavg()[0]:.2f} at end ({os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
