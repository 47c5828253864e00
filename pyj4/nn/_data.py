"""Turning what users pass to fit/evaluate/predict into JVM arrays, with cheap checks first.

NumPy data crosses without a copy (``pj.asarray``) when it already has the engine's dtype; other
dtypes are converted once, as Keras does. Checks that cost no more than a pass over the labels
happen here, so a wrong call fails in Python with a message naming what was received.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._ndarray import NDArray, asarray


def describe(a) -> str:
    """"float32[100, 4]": the dtype and shape of an array, as the engine's messages write them."""
    shape = ", ".join(str(d) for d in a.shape)
    return f"{np.dtype(a.dtype).name if not isinstance(a.dtype, str) else a.dtype}[{shape}]"


def _is_dataset(obj) -> bool:
    return type(obj).__name__ == "Dataset" and type(obj).__module__.startswith("pyj4.data")


def as_host_or_array(obj, who: str, name: str):
    """``obj`` as a NumPy array or a pj.NDArray (lists become NumPy); TypeError for anything else."""
    if isinstance(obj, (np.ndarray, NDArray)):
        return obj
    if obj is None:
        raise TypeError(f"{who}: expected {name} to be a numpy array, a pj.NDArray or a pj.data.Dataset. Received: {name}=None")
    if isinstance(obj, (str, bytes, dict)) or _is_dataset(obj):
        raise TypeError(f"{who}: expected {name} to be an array. Received: {name} of type {type(obj).__name__}")
    if hasattr(obj, "__array__") or isinstance(obj, (list, tuple)):
        try:
            arr = np.asarray(obj)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{who}: cannot read {name} as an array ({e}). Received: {name} of type {type(obj).__name__}") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{who}: expected {name} to hold numbers. Received: {name} with dtype {arr.dtype}")
        return arr
    raise TypeError(
        f"{who}: expected {name} to be a numpy array, a pj.NDArray or a pj.data.Dataset. "
        f"Received: {name} of type {type(obj).__name__}"
    )


def to_jvm(a, dtype: str) -> NDArray:
    """A pj.NDArray of ``dtype`` for ``a``: shared with NumPy when the dtype already matches."""
    if isinstance(a, NDArray):
        return a if a.dtype == np.dtype(dtype) else a.astype(dtype)
    if a.dtype != np.dtype(dtype):
        a = a.astype(dtype)
    if not a.flags.c_contiguous:
        a = np.ascontiguousarray(a)  # the engine slices batches out of contiguous rows
    return asarray(a)


def host_view(a):
    """A NumPy view of ``a`` for checks (None for device arrays, which the engine checks itself)."""
    if isinstance(a, np.ndarray):
        return a
    if a.device != "cpu":
        return None
    return a.numpy()


def check_features(who: str, x, input_shape: tuple | None, name: str = "x") -> None:
    if x.ndim < 1 or x.shape[0] == 0:
        raise ValueError(f"{who}: expected {name} with at least one sample. Received: {name}={describe(x)}")
    if isinstance(x.dtype, np.dtype) and x.dtype.kind not in "biuf":
        raise TypeError(f"{who}: expected {name} to hold numbers. Received: {name}={describe(x)}")
    if input_shape is not None and tuple(x.shape[1:]) != tuple(input_shape):
        want = "(None, " + ", ".join(str(d) for d in input_shape) + ")"
        raise ValueError(
            f"{who}: expected {name} of shape {want} (the model's input). Received: {name}={describe(x)}"
        )


def check_lengths(who: str, x, y, xname="x", yname="y") -> None:
    if y.ndim < 1 or len(x) != len(y):
        raise ValueError(
            f"{who}: {xname} and {yname} must have the same number of samples. Received: {xname}={describe(x)}, {yname}={describe(y)}"
        )


def check_labels(who: str, y, loss, output_shape: tuple | None, name: str = "y"):
    """Checks y against the loss and the model output; returns y in the dtype the engine reads.

    Sparse labels are class indices (any integer dtype, or floats holding whole numbers) and go
    over as int64 (what the engine reads, so NumPy's default int crosses without a copy); every other loss reads float32 targets shaped like the output.
    """
    kind = getattr(loss, "label_kind", "dense")
    classes = output_shape[-1] if output_shape and output_shape[-1] is not None else None
    n = y.shape[0]
    if kind == "sparse":
        # One index per prediction row: y shaped like the output without its class axis (a sequence
        # model's (n, steps) too), or with a trailing 1.
        rows = (n,) + tuple(output_shape[1:-1]) if output_shape and len(output_shape) > 2 else (n,)
        if None in rows:
            rows = tuple(y.shape[:len(rows)])
        if not (tuple(y.shape) == rows or tuple(y.shape) == rows + (1,)):
            raise ValueError(
                f"{who}: sparse_categorical_crossentropy expects {name} of class indices with shape {_shape(rows)}. "
                f"Received: {name}={describe(y)} (use categorical_crossentropy for one-hot labels)"
            )
        host = host_view(y)
        if host is not None and host.size:
            if host.dtype.kind == "f" and not np.all(np.mod(host, 1) == 0):
                raise ValueError(f"{who}: sparse_categorical_crossentropy expects integer class indices in {name}. "
                                 f"Received: {name}={describe(y)} with non-integer values")
            if host.dtype.kind == "b":
                raise TypeError(f"{who}: expected integer class indices in {name}. Received: {name}={describe(y)}")
            lo, hi = host.min(), host.max()
            if classes is not None and (lo < 0 or hi >= classes):
                bad = lo if lo < 0 else hi
                raise ValueError(
                    f"{who}: sparse_categorical_crossentropy: label {_num(bad)} out of range for {classes} classes "
                    f"(labels must be in [0, {classes})). Received: {name}={describe(y)}"
                )
        return y.reshape(rows) if y.ndim > len(rows) else y, "int64"
    # Dense targets: same shape as the output; (n,) is accepted for a one-unit output, as Keras does.
    if output_shape is not None:
        want = (n,) + tuple(output_shape[1:])
        if tuple(y.shape) != want:
            if tuple(y.shape) == (n,) and want == (n, 1):
                y = y.reshape(n, 1)
            else:
                hint = ""
                if kind == "dense" and y.ndim == 1 and len(want) == 2 and want[1] > 1:
                    hint = " (integer class labels need loss='sparse_categorical_crossentropy')"
                raise ValueError(
                    f"{who}: expected {name} of shape {_shape(want)} to match the model output. "
                    f"Received: {name}={describe(y)}{hint}"
                )
    return y, "float32"


def _num(v):
    return int(v) if isinstance(v, (numbers.Integral, np.integer)) or float(v).is_integer() else float(v)


def _shape(s) -> str:
    return "(" + ", ".join(str(d) for d in s) + ("," if len(s) == 1 else "") + ")"


def split_validation(who: str, x, y, fraction: float):
    """Keras' validation_split: the last ``fraction`` of the samples, taken before any shuffling."""
    n = len(x)
    n_val = int(n * fraction)
    if n_val == 0 or n_val == n:
        raise ValueError(
            f"{who}: validation_split={fraction} leaves no {'validation' if n_val == 0 else 'training'} samples "
            f"out of {n}"
        )
    cut = n - n_val
    return x[:cut], y[:cut], x[cut:], y[cut:]
