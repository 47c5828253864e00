"""Training and inference of an MLP 784-512-256-10 (ReLU): pyj4 beside PyTorch CPU (and ONNX Runtime
for inference), 2 threads each, same synthetic data, in one process run.

    .venv/bin/python bench/train_mlp.py                    # pyj4 only when torch is not installed
    /tmp/torchvenv/bin/python bench/train_mlp.py --repeat 7

Figures (medians of --repeat runs after a warm-up, the peers alternating run by run):
  train   samples/s of one epoch of Adam steps, batch 128, over --samples samples (shuffle off,
          the same batch order for every peer); pyj4 runs each epoch as one model.fit call.
  predict batch 1   latency of one call from Python (pyj4: model.predict, bridge included)
  predict batch 256 samples/s
The ratio column is pyj4's speed relative to PyTorch (>1: pyj4 faster). Data: a 10-class Gaussian
mixture in 784 dimensions, as in BENCHMARKS.md (its exact centres and noise are not published, so
the epoch-1 loss printed here is a pyj4-vs-PyTorch check, not a match for that page's 0.71).
Threads: PYJ4_NUM_THREADS, OPENBLAS_NUM_THREADS, OMP/MKL and torch.set_num_threads are all 2.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from _peers import THREADS, TRAIN_WARMUP_S, alternate, torch  # first: pins every peer to the same threads

import numpy as np  # noqa: E402

import pyj4 as pj  # noqa: E402
from pyj4 import nn  # noqa: E402

try:
    import onnxruntime as ort  # noqa: E402
    from onnx import TensorProto, helper, numpy_helper  # noqa: E402
except ImportError:
    ort = None

SIZES = (784, 512, 256, 10)


def gaussian_mixture(n, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((10, SIZES[0])).astype(np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    x = (centers[y] + 2.0 * rng.standard_normal((n, SIZES[0]))).astype(np.float32)
    return x, y


# --------------------------------------------------------------------------------------------- peers


def pyj4_model():
    pj.random.seed(0)
    model = nn.Sequential([nn.Input((SIZES[0],)), nn.Dense(SIZES[1], activation="relu"),
                           nn.Dense(SIZES[2], activation="relu"), nn.Dense(SIZES[3])])
    model.compile(optimizer=nn.optimizers.Adam(1e-3),
                  loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def torch_model(weights):
    """The same network in PyTorch, starting from pyj4's weights (Keras kernels are [in, out])."""
    layers = []
    for i in range(3):
        lin = torch.nn.Linear(SIZES[i], SIZES[i + 1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(weights[2 * i].T)))
            lin.bias.copy_(torch.from_numpy(weights[2 * i + 1]))
        layers += [lin, torch.nn.ReLU()] if i < 2 else [lin]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    return model, opt


def torch_epoch(model, opt, tx, ty, batch):
    model.train()
    loss_fn = torch.nn.functional.cross_entropy
    for s in range(0, len(tx), batch):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(tx[s:s + batch]), ty[s:s + batch])
        loss.backward()
        opt.step()
    return loss.item()


def onnx_session(weights):
    """An ONNX graph (Gemm + Relu) holding pyj4's weights, run by ONNX Runtime on 2 threads."""
    nodes, inits, prev = [], [], "x"
    for i in range(3):
        w, b = f"w{i}", f"b{i}"
        inits += [numpy_helper.from_array(weights[2 * i], w), numpy_helper.from_array(weights[2 * i + 1], b)]
        out = f"h{i}" if i < 2 else "y"
        nodes.append(helper.make_node("Gemm", [prev, w, b], [out + ("_pre" if i < 2 else "")]))
        if i < 2:
            nodes.append(helper.make_node("Relu", [out + "_pre"], [out]))
        prev = out
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, SIZES[0]])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, SIZES[3]])], inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(THREADS)
    so.inter_op_num_threads = 1
    return ort.InferenceSession(proto.SerializeToString(), so, providers=["CPUExecutionProvider"])


# --------------------------------------------------------------------------------------------- timing


def alternate_medians(fns, repeat, warmup_s=0.0):
    """Median seconds per peer over ``repeat`` alternating rounds (see _peers.alternate)."""
    return {k: statistics.median(v) for k, v in alternate(fns, repeat, warmup_s=warmup_s).items()}


def per_call(fn, calls):
    def run():
        for _ in range(calls):
            fn()
    return run


def row(name, unit, values, higher_is_better=True):
    cells = [f"{name:<22}"]
    for peer in ("pyj4", "torch", "onnxruntime"):
        cells.append(f"{values[peer]:>14,.1f}" if peer in values else f"{'-':>14}")
    if "torch" in values:
        r = values["pyj4"] / values["torch"] if higher_is_better else values["torch"] / values["pyj4"]
        cells.append(f"{r:>8.2f}x")
    else:
        cells.append(f"{'-':>9}")
    print(" ".join(cells) + f"  {unit}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=8192)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="2048 samples, 3 repeats (a smoke run)")
    args = ap.parse_args()
    if args.quick:
        args.samples, args.repeat = 2048, 3
    batch = 128

    x, y = gaussian_mixture(args.samples)
    model = pyj4_model()
    weights = model.get_weights()
    peers = [f"pyj4 {pj.version()} ({pj.backend()} backend)"]
    if torch is not None:
        peers.append(f"torch {torch.__version__}")
    if ort is not None:
        peers.append(f"onnxruntime {ort.__version__}")
    print(f"MLP {'-'.join(map(str, SIZES))} ReLU, {args.samples} samples, batch {batch}, {THREADS} threads; "
          f"medians of {args.repeat}; " + ", ".join(peers))

    # Numerical sanity: epoch-1 mean batch loss of both peers from the same weights and batches.
    first = model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0).history["loss"][0]
    line = f"epoch-1 mean loss: pyj4 {first:.3f}"
    tm = None
    if torch is not None:
        tm, topt = torch_model(weights)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        losses = []
        tm.train()
        for s in range(0, len(tx), batch):
            topt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(tm(tx[s:s + batch]), ty[s:s + batch])
            loss.backward()
            topt.step()
            losses.append(loss.item())
        line += f", torch {np.mean(losses):.3f}"
    print(line)

    # Training throughput.
    fns = {"pyj4": lambda: model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)}
    if torch is not None:
        fns["torch"] = lambda: torch_epoch(tm, topt, tx, ty, batch)
    t = alternate_medians(fns, args.repeat, 0 if args.quick else TRAIN_WARMUP_S)
    print(f"{'':<22} {'pyj4':>14} {'torch':>14} {'onnxruntime':>14} {'ratio':>9}")
    row("train, batch 128", "samples/s", {k: args.samples / v for k, v in t.items()})

    # Inference (the trained weights; every peer computes the same function).
    weights = model.get_weights()
    if torch is not None:
        tm, _ = torch_model(weights)
        tm.eval()
    sess = onnx_session(weights) if ort is not None else None
    x1, x256 = x[:1].copy(), x[:256].copy()
    calls = 200 if not args.quick else 50
    lat = {"pyj4": per_call(lambda: model.predict(x1, batch_size=1), calls)}
    thr = {"pyj4": per_call(lambda: model.predict(x256, batch_size=256), 20)}
    if torch is not None:
        t1, t256 = torch.from_numpy(x1), torch.from_numpy(x256)

        def tpred(t):
            with torch.inference_mode():
                return tm(t).numpy()
        lat["torch"] = per_call(lambda: tpred(t1), calls)
        thr["torch"] = per_call(lambda: tpred(t256), 20)
    if sess is not None:
        lat["onnxruntime"] = per_call(lambda: sess.run(None, {"x": x1}), calls)
        thr["onnxruntime"] = per_call(lambda: sess.run(None, {"x": x256}), 20)
    # Steady state, as in a service: the JVM compiles the predict path after some 10^4 calls (before
    # that a batch-1 call costs about twice as much); the peers need no such warm-up.
    for _ in range(2000 if args.quick else 20000):
        model.predict(x1, batch_size=1)
    for _ in range(50 if args.quick else 300):
        model.predict(x256, batch_size=256)
    tl = alternate_medians(lat, args.repeat)
    row("predict batch 1", "us/call", {k: v / calls * 1e6 for k, v in tl.items()}, higher_is_better=False)
    tt = alternate_medians(thr, args.repeat)
    row("predict batch 256", "samples/s", {k: 256 * 20 / v for k, v in tt.items()})

    # The peers agree on the outputs (a bench that computes something else is no bench).
    out = model.predict(x256, batch_size=256)
    if torch is not None:
        with torch.inference_mode():
            ref = tm(torch.from_numpy(x256)).numpy()
        print(f"max |pyj4 - torch| on predict: {np.abs(out - ref).max():.2e}")
    if sess is not None:
        print(f"max |pyj4 - onnxruntime| on predict: {np.abs(out - sess.run(None, {'x': x256})[0]).max():.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
