"""Generated cases: broadcasting binary ops, reductions over random axes and random slicing, each
compared with NumPy."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import pyj4 as pj

pytestmark = pytest.mark.no_leaks

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DTYPES = st.sampled_from(["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64"])
OPS = st.sampled_from(["__add__", "__sub__", "__mul__", "__truediv__", "__lt__", "__eq__", "__ge__", "maximum", "minimum"])


def values(dtype, shape):
    elements = {
        "float32": st.floats(-100, 100, width=32),
        "float64": st.floats(-1e6, 1e6),
    }.get(dtype)
    return hnp.arrays(dtype, shape, elements=elements)


def apply(op, x, y):
    if op in ("maximum", "minimum"):
        return getattr(np, op)(x, y) if isinstance(x, np.ndarray) else getattr(pj, op)(x, y)
    return getattr(x, op)(y)


@SETTINGS
@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4), op=OPS,
       da=DTYPES, db=DTYPES)
def test_broadcast_binary_matches_numpy(data, shapes, op, da, db):
    if op == "__sub__" and da == db == "bool":
        return
    x = data.draw(values(da, shapes.input_shapes[0]))
    y = data.draw(values(db, shapes.input_shapes[1]))
    with np.errstate(all="ignore"):
        want = np.asarray(apply(op, x, y))
    got = apply(op, pj.array(x), pj.array(y)).numpy()
    assert got.shape == want.shape and got.dtype == want.dtype, (got.dtype, want.dtype)
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5), dtype=DTYPES,
       keepdims=st.booleans(), op=st.sampled_from(["sum", "max", "min", "mean"]))
def test_reductions_over_random_axes(data, shape, dtype, keepdims, op):
    x = data.draw(values(dtype, shape))
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True, max_size=len(shape)))
    axis = tuple(axes) if axes else None
    kwargs = {"dtype": np.int64} if op == "sum" and np.dtype(dtype).kind in "bu" else {}
    want = np.asarray(getattr(x, op)(axis=axis, keepdims=keepdims, **kwargs))
    got = getattr(pj.array(x), op)(axis=axis, keepdims=keepdims).numpy()
    assert got.shape == want.shape and got.dtype == want.dtype
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * (np.abs(x).max() if x.size else 1))
    else:
        np.testing.assert_array_equal(got, want)


@st.composite
def slices(draw, shape):
    key = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "all"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 2, n + 2))
            stop = draw(st.none() | st.integers(-n - 2, n + 2))
            step = draw(st.none() | st.integers(-3, 3).filter(lambda s: s != 0))
            key.append(slice(start, stop, step))
        else:
            key.append(slice(None))
    if draw(st.booleans()):
        key.insert(draw(st.integers(0, len(key))), None)
    return tuple(key)


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=6))
def test_random_slicing_views_match_numpy(data, shape):
    x = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    key = data.draw(slices(shape))
    a = pj.asarray(x)
    view = a[key]
    np.testing.assert_array_equal(view.numpy(), x[key])
    # and the view of the view, transposed, still reads the same memory
    np.testing.assert_array_equal(view.T.numpy(), x[key].T)
    a[key] = -1
    y = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    y[key] = -1
    np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_empty_and_zero_dim_arrays(n):
    x = np.zeros((n, 3), np.float32)
    a = pj.array(x)
    assert a.shape == (n, 3)
    np.testing.assert_array_equal((a + 1).numpy(), x + 1)
    np.testing.assert_array_equal(a.sum(axis=0).numpy(), x.sum(axis=0))
    s = pj.array(np.float64(2.5))
    assert s.shape == () and float(s * 2) == 5.0
