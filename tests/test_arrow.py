"""pyarrow <-> JVM without copies: `pj.from_arrow` and `pj.to_arrow`.

Sharing is proven by addresses (the NDArray's first element and pyarrow's value buffer), by writes
seen from the other side, and by three accountings back at baseline after many round trips:
pj.memory() (JVM), pa.total_allocated_bytes() (pyarrow) and pyj4's Arrow Java allocator."""
from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import jpype
import numpy as np
import pyarrow as pa
import pytest

import pyj4 as pj
from pyj4 import _arrow

SHARED = ["float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8"]
SHAPES = [(5,), (2, 3), (2, 3, 4), (2, 1, 3, 2), (0, 3)]


def address(x: pj.NDArray) -> int:
    return int(x._j.bufferAddress()) + int(x._j.offset()) * x.dtype.itemsize


def arrow_address(arr) -> int:
    """Address of the first value of a pyarrow array, tensor array or fixed-size list."""
    if isinstance(arr.type, pa.FixedShapeTensorType):
        arr = arr.storage
    if isinstance(arr, pa.FixedSizeListArray):
        values = arr.values
        start = arr.offset * arr.type.list_size + values.offset
    else:
        values, start = arr, arr.offset
    return values.buffers()[1].address + start * values.type.bit_width // 8


def sample(shape, dtype):
    n = int(np.prod(shape))
    values = np.arange(n) % 2 == 1 if dtype == "bool" else np.arange(n) % 100
    return values.astype(dtype).reshape(shape)


from _accounting import accountings, baseline  # noqa: E402


# ------------------------------------------------------------------ NDArray -> pyarrow -> NDArray


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", SHARED)
def test_to_arrow_and_back_share_memory(dtype, shape):
    a = sample(shape, dtype)
    x = pj.array(a)  # JVM-owned memory
    t = pj.to_arrow(x)
    if len(shape) == 1:
        assert t.type == pa.from_numpy_dtype(np.dtype(dtype))
        np.testing.assert_array_equal(t.to_numpy(), a)
    else:
        assert isinstance(t, pa.FixedShapeTensorArray)
        assert t.type.shape == list(shape[1:]) and t.type.value_type == pa.from_numpy_dtype(np.dtype(dtype))
        assert len(t) == shape[0]
        if a.size:
            np.testing.assert_array_equal(t.to_numpy_ndarray(), a)
    if a.size:
        assert arrow_address(t) == address(x), "to_arrow copied"
    back = pj.from_arrow(t)
    assert back.shape == shape and back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.numpy(), a)
    if a.size:
        assert address(back) == address(x), "from_arrow copied"


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_bool_is_converted_to_and_from_arrow_bits(shape):
    a = sample(shape, "bool")
    t = pj.to_arrow(pj.asarray(a))
    values = t if len(shape) == 1 else t.storage.values
    assert values.type == pa.bool_()
    back = pj.from_arrow(t)
    assert back.dtype == np.bool_ and back.shape == shape
    np.testing.assert_array_equal(back.numpy(), a)


@pytest.mark.parametrize("dtype", SHARED + ["bool"])
def test_zero_d_arrays_become_scalars(dtype):
    x = pj.asarray(np.array(1, dtype=dtype))
    s = pj.to_arrow(x)
    assert isinstance(s, pa.Scalar) and s.as_py() == 1
    back = pj.from_arrow(s)
    assert back.shape == () and back.dtype == np.dtype(dtype) and back.item() == 1


def test_jvm_writes_are_visible_in_pyarrow():
    x = pj.zeros((4, 3), dtype="float32")
    t = pj.to_arrow(x)
    x[1, 2] = 5.0
    assert t.to_numpy_ndarray()[1, 2] == 5.0
    v = pj.zeros(3, dtype="int64")
    tv = pj.to_arrow(v)
    v[0] = 42
    assert tv[0].as_py() == 42


def test_pyarrow_memory_is_seen_by_the_jvm_and_never_written():
    n = np.zeros(6, dtype=np.float32)
    arr = pa.array(n)  # pyarrow over NumPy memory, no copy
    x = pj.from_arrow(arr)
    assert address(x) == n.ctypes.data == arrow_address(arr)
    n[2] = 4.0  # the memory changes under pyarrow and the JVM alike
    assert float(x[2]) == 4.0
    with pytest.raises(ValueError, match="read-only"):
        x[0] = 1.0
    assert n[0] == 0.0
    assert not x.numpy().flags.writeable


def test_from_arrow_keeps_pyarrow_memory_until_the_jvm_lets_go():
    jvm0, pa0, java0 = baseline()
    arr = pa.array(list(range(100_000)), type=pa.int64())  # allocated by pyarrow
    held = pa.total_allocated_bytes() - pa0
    assert held >= 800_000
    x = pj.from_arrow(arr)
    view = x[10:20]
    del arr
    assert accountings() == (jvm0, pa0 + held, java0), "pyarrow memory must live while the JVM uses it"
    assert int(view.sum()) == sum(range(10, 20))
    del x
    assert pa.total_allocated_bytes() == pa0 + held
    del view
    assert accountings() == (jvm0, pa0, java0), "released once the last NDArray let go"


def test_to_arrow_keeps_jvm_memory_until_pyarrow_lets_go():
    jvm0, pa0, java0 = baseline()
    x = pj.ones(1000, dtype="float64")
    t = pj.to_arrow(x)
    del x
    assert accountings() == (jvm0 + 8000, pa0, java0)
    assert t.to_numpy().sum() == 1000
    part = t.slice(10, 5)
    del t
    assert accountings()[0] == jvm0 + 8000
    del part
    assert accountings() == (jvm0, pa0, java0)


def test_many_round_trips_return_every_accounting_to_baseline():
    arr = pa.array(np.arange(1 << 16, dtype=np.float32) * 1.0)  # pyarrow-owned (the multiply allocates)
    tensor = pj.to_arrow(pj.ones((64, 16, 16)))
    before = baseline()
    for _ in range(300):
        x = pj.from_arrow(arr)
        t = pj.to_arrow(x)
        y = pj.from_arrow(t)
        assert address(y) == arrow_address(arr)
        z = pj.from_arrow(tensor)
        assert address(z) == arrow_address(tensor)
        assert pj.to_arrow(z).to_numpy_ndarray().shape == (64, 16, 16)
        del x, t, y, z
    after = accountings()
    # <=, not ==: leftovers of earlier tests may be freed meanwhile; a leak here still shows as growth
    assert all(a <= b for a, b in zip(after, before)), (after, before)


# ------------------------------------------------------------------ what pyarrow makes


def test_sliced_arrays_are_read_from_their_offset():
    base = pa.array(np.arange(10, dtype=np.int32))
    s = base[3:8]
    x = pj.from_arrow(s)
    np.testing.assert_array_equal(x.numpy(), [3, 4, 5, 6, 7])
    assert address(x) == arrow_address(base) + 3 * 4

    t = pa.FixedShapeTensorArray.from_numpy_ndarray(np.arange(24, dtype=np.float32).reshape(4, 2, 3))
    np.testing.assert_array_equal(pj.from_arrow(t[1:3]).numpy(), np.arange(24).reshape(4, 2, 3)[1:3])

    child = pa.array(np.arange(20, dtype=np.int16))[2:14]  # the list's child has an offset too
    lists = pa.FixedSizeListArray.from_arrays(child, 3)
    np.testing.assert_array_equal(pj.from_arrow(lists[1:]).numpy(), np.arange(2, 14).reshape(4, 3)[1:])


def test_permuted_tensors_are_transposed_views():
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4).transpose(0, 2, 1)
    t = pa.FixedShapeTensorArray.from_numpy_ndarray(x)
    assert t.type.permutation == [1, 0]
    a = pj.from_arrow(t)
    assert a.shape == (2, 4, 3)
    np.testing.assert_array_equal(a.numpy(), x)
    assert int(a._j.bufferAddress()) == arrow_address(t), "a view, not a copy"

    y = pj.arange(24, dtype="int32").reshape(2, 3, 4).transpose(0, 2, 1)
    ty = pj.to_arrow(y)
    assert ty.type.permutation == [1, 0] and ty.type.shape == [3, 4]
    assert arrow_address(ty) == int(y._j.bufferAddress())
    np.testing.assert_array_equal(ty.to_numpy_ndarray(), y.numpy())


def test_other_strided_arrays_are_copied_for_arrow():
    x = pj.arange(12, dtype="float32").reshape(3, 4)[:, ::2]
    t = pj.to_arrow(x)
    np.testing.assert_array_equal(t.to_numpy_ndarray(), x.numpy())
    assert arrow_address(t) != address(x)


def test_chunked_arrays():
    one = pa.chunked_array([pa.array([1.0, 2.0])])
    x = pj.from_arrow(one)
    assert address(x) == arrow_address(one.chunk(0))
    two = pa.chunked_array([pa.array([1, 2]), pa.array([3])])
    np.testing.assert_array_equal(pj.from_arrow(two).numpy(), [1, 2, 3])  # joined: one copy
    assert pj.from_arrow(pa.chunked_array([], type=pa.float32())).shape == (0,)


def test_plain_fixed_size_lists_give_matrices():
    lists = pa.FixedSizeListArray.from_arrays(pa.array(np.arange(6, dtype=np.uint8)), 2)
    x = pj.from_arrow(lists)
    assert x.shape == (3, 2) and x.dtype == np.uint8
    assert address(x) == arrow_address(lists)


# ------------------------------------------------------------------ refused, with the reason


def test_nulls_are_refused():
    with pytest.raises(ValueError, match="1 null"):
        pj.from_arrow(pa.array([1.0, None, 3.0]))
    storage = pa.array([[1.0, 2.0], None], type=pa.list_(pa.float64(), 2))
    with pytest.raises(ValueError, match="null"):
        pj.from_arrow(pa.ExtensionArray.from_storage(pa.fixed_shape_tensor(pa.float64(), [2]), storage))
    with pytest.raises(ValueError, match="null"):
        pj.from_arrow(pa.scalar(None, type=pa.int32()))


@pytest.mark.parametrize(
    "arr",
    [
        pa.array(["a", "b"]),
        pa.array([1, 2], type=pa.uint16()),
        pa.array([1, 2], type=pa.uint64()),
        pa.array([1, 2], type=pa.timestamp("s")),
        pa.array([[1.0], [2.0, 3.0]]),
        pa.array(["x", "y"]).dictionary_encode(),
        pa.array([1, 2], type=pa.decimal128(5, 2)),
    ],
    ids=lambda a: str(a.type),
)
def test_unsupported_types_raise_type_error_naming_the_type(arr):
    with pytest.raises(TypeError, match="Received: type="):
        pj.from_arrow(arr)


def test_tables_and_other_objects_are_refused_with_a_hint():
    with pytest.raises(TypeError, match="Dataset.from_arrow"):
        pj.from_arrow(pa.table({"a": [1.0]}))
    with pytest.raises(TypeError, match="list"):
        pj.from_arrow([1.0, 2.0])


def test_bfloat16_has_no_arrow_type():
    with pytest.raises(TypeError, match="bfloat16"):
        pj.to_arrow(pj.ones(3, dtype="bfloat16"))


# ------------------------------------------------------------------ Arrow Java <-> pyarrow (C Data Interface)


def test_tensors_made_in_java_read_as_fixed_shape_tensors_in_pyarrow():
    """The Java side writes the arrow.fixed_shape_tensor metadata that pyarrow understands."""
    ArrowTensors = jpype.JClass("org.pyj4.arrow.ArrowTensors")
    ArrowMemory = jpype.JClass("org.pyj4.arrow.ArrowMemory")
    Data = jpype.JClass("org.apache.arrow.c.Data")
    ArrowArray = jpype.JClass("org.apache.arrow.c.ArrowArray")
    ArrowSchema = jpype.JClass("org.apache.arrow.c.ArrowSchema")
    java0 = _arrow.arrow_java_bytes()
    x = pj.arange(12, dtype="float32").reshape(2, 2, 3)
    allocator = ArrowMemory.root()
    vector = ArrowTensors.toVector(x._j, "t", allocator)
    c_array, c_schema = ArrowArray.allocateNew(allocator), ArrowSchema.allocateNew(allocator)
    try:
        Data.exportVector(allocator, vector, None, c_array, c_schema)
        t = pa.Array._import_from_c(int(c_array.memoryAddress()), int(c_schema.memoryAddress()))
    finally:
        c_array.close()
        c_schema.close()
        vector.close()
    assert isinstance(t, pa.FixedShapeTensorArray) and t.type.shape == [2, 3]
    assert arrow_address(t) == address(x), "zero-copy from the NDArray to pyarrow through Arrow Java"
    np.testing.assert_array_equal(t.to_numpy_ndarray(), x.numpy())
    del t  # its release callback calls into the JVM: release it while the JVM runs
    gc.collect()
    assert _arrow.arrow_java_bytes() == java0


# ------------------------------------------------------------------ interpreter exit


def test_nothing_warns_or_crashes_at_exit_with_shared_memory_alive():
    code = textwrap.dedent(
        """
        import numpy as np, pyarrow as pa, pyj4 as pj
        arr = pa.array(np.arange(1000, dtype=np.float32) * 2)
        x = pj.from_arrow(arr)                       # JVM holds pyarrow memory
        t = pj.to_arrow(pj.ones((10, 3, 4)))          # pyarrow holds JVM memory
        v = pj.ones(5).numpy()                        # NumPy holds JVM memory
        m = pj.asarray(np.ones(7))                    # JVM holds NumPy memory
        tbl = pa.table({"a": np.arange(100, dtype=np.float32), "y": np.arange(100)})
        ds = pj.data.Dataset.from_arrow(lambda: tbl.to_batches(max_chunksize=10), label="y")
        half_read = ds.batches(8); next(half_read)    # a stream left half-read
        src = ds.to_java(16); it = src.iterator(); b = it.next()
        print("done")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "done"
    assert proc.stderr == "", proc.stderr
