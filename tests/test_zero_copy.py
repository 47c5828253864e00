"""NumPy <-> JVM without copies: `pj.asarray(np_array)` shares the NumPy memory, `a.numpy()` views
the JVM memory. Sharing is proven (same address, writes seen from both sides, no bytes allocated),
memory lives while either side holds it and is released once both let go, and what cannot be
shared is copied or refused visibly."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import pyj4 as pj

DTYPES = ["float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "bool"]
SHAPES = [(), (5,), (2, 3), (2, 3, 4), (2, 1, 3, 2)]


def address(x: pj.NDArray) -> int:
    """Address of the first element of x's view in host memory."""
    return int(x._j.bufferAddress()) + int(x._j.offset()) * x.dtype.itemsize


def sample(shape, dtype):
    n = int(np.prod(shape))
    values = np.arange(n) % 2 == 1 if dtype == "bool" else np.arange(n) % 100
    return values.astype(dtype).reshape(shape)


def allocated() -> int:
    gc.collect()
    return pj.memory()["allocated_bytes"]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_to_jvm_and_back_shares_memory(dtype, shape):
    a = sample(shape, dtype)
    before = allocated()
    x = pj.asarray(a)
    assert allocated() <= before, "asarray allocated JVM memory: it copied"
    assert x.shape == shape and x.dtype == np.dtype(dtype)
    assert address(x) == a.ctypes.data
    back = x.numpy()
    assert back.ctypes.data == a.ctypes.data
    np.testing.assert_array_equal(back, a)


def test_writes_are_visible_from_both_sides():
    a = np.zeros((3, 4), dtype=np.float32)
    x = pj.asarray(a)
    a[1, 2] = 7.0  # NumPy writes, the JVM sees
    assert float(x[1, 2]) == 7.0
    x[0, 0] = 5.0  # the JVM writes, NumPy sees
    assert a[0, 0] == 5.0
    v = pj.zeros((2, 2)).numpy()
    y = pj.asarray(v)
    y[1, 1] = 3.0
    assert v[1, 1] == 3.0


def test_numpy_view_of_jvm_memory_outlives_the_ndarray(no_leaks):
    x = pj.arange(6, dtype="int32")
    v = x.numpy()
    assert v.ctypes.data == address(x)
    del x
    gc.collect()
    np.testing.assert_array_equal(v, np.arange(6))  # still valid: the view holds the buffer
    del v


def test_numpy_memory_is_released_when_both_sides_let_go():
    a = np.ones(1000, dtype=np.float64)
    freed = []
    weakref.finalize(a, freed.append, True)
    x = pj.asarray(a)
    view = x[10:20]  # a JVM view shares the same borrowed buffer
    del a
    gc.collect()
    assert not freed, "the JVM still uses the memory"
    assert float(view.sum()) == 10.0
    del x
    gc.collect()
    assert not freed
    del view
    gc.collect()
    assert freed == [True], "released once, as soon as the JVM let go"


def test_many_round_trips_leave_both_accountings_at_baseline():
    a = np.arange(1 << 18, dtype=np.float32)  # 1 MiB
    before = allocated()
    for _ in range(200):
        back = pj.asarray(a).numpy()
        assert back.ctypes.data == a.ctypes.data
        del back
    assert allocated() <= before  # a leak shows as growth; earlier garbage may go meanwhile


def test_read_only_numpy_is_never_written_through():
    a = np.arange(4, dtype=np.float32)
    a.flags.writeable = False
    x = pj.asarray(a)
    assert address(x) == a.ctypes.data
    assert not bool(x._j.isWritable())
    with pytest.raises(ValueError, match="read-only"):
        x[0] = 9.0
    with pytest.raises(ValueError, match="read-only"):
        x += 1
    np.testing.assert_array_equal(a, [0, 1, 2, 3])
    assert not x.numpy().flags.writeable, "the round trip must stay read-only"
    np.testing.assert_array_equal((x + 1).numpy(), [1, 2, 3, 4])  # reading is fine


def test_strided_numpy_views_are_shared_with_their_strides():
    a = np.arange(20, dtype=np.int64).reshape(4, 5)
    v = a[::2, ::-1]
    x = pj.asarray(v)
    assert address(x) == v.ctypes.data
    np.testing.assert_array_equal(x.numpy(), v)
    a[2, 4] = -1  # v[1, 0]
    assert int(x[1, 0]) == -1


def test_non_native_byte_order_is_copied_not_misread():
    a = np.arange(5, dtype=">i4")
    x = pj.asarray(a)
    assert address(x) != a.ctypes.data
    assert x.dtype == np.dtype("int32")
    np.testing.assert_array_equal(x.numpy(), [0, 1, 2, 3, 4])


def test_unaligned_strides_are_copied_not_misread():
    rec = np.zeros(4, dtype=[("a", "<i4"), ("b", "u1")])
    rec["a"] = [1, 2, 3, 4]
    field = rec["a"]  # stride 5 bytes: not a whole number of int32s
    x = pj.asarray(field)
    np.testing.assert_array_equal(x.numpy(), [1, 2, 3, 4])
    rec["a"][0] = 100
    assert int(x[0]) == 1, "a copy, so later writes are not seen (and nothing is misread)"


@pytest.mark.parametrize("dtype", ["complex64", "uint16", "uint32", "uint64", "datetime64[s]", "U3", "O"])
def test_unsupported_dtypes_raise_type_error_naming_them(dtype):
    a = np.zeros(3, dtype=dtype)
    with pytest.raises(TypeError, match="dtype"):
        pj.asarray(a)
