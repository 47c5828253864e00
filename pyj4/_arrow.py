"""NDArray <-> pyarrow without copies: ``pj.from_arrow`` and ``pj.to_arrow``.

How memory crosses, and why:

* pyarrow -> NDArray (``from_arrow``): the pyarrow buffer's address is wrapped directly
  (``NDArray.wrapHost``). pyarrow already tells Python the type, offset, length and null count,
  so nothing needs Arrow Java; this costs a few JPype calls (tens of microseconds at any size),
  where an import through the C Data Interface costs a few hundred. The pyarrow array is held in a
  Python list that the JVM empties through a release callback when the last NDArray using the
  memory lets go, so pyarrow frees (and un-counts) it at that moment, not at some later GC.
* NDArray -> pyarrow (``to_arrow``): a ``pyarrow.foreign_buffer`` over the JVM memory whose base
  object holds one reference on the JVM buffer and drops it when pyarrow frees the buffer. No
  Arrow Java object is involved, so no pyarrow object ever has a release callback into the JVM:
  arrays still alive at interpreter exit (after the JVM stopped) are simply dropped.
* pyarrow record batch streams -> JVM datasets (``pj.data``): the Arrow C stream interface into
  Arrow Java (``import_reader``), because the JVM side then reads record batches lazily and a JVM
  training loop can pull them without Python in the way.

What is not shared, visibly: Arrow bools are bits (NDArray bools are bytes), so bool data is
converted; chunked arrays with several chunks are concatenated first (one copy); 0-d arrays
become pyarrow scalars (one value); non-contiguous NDArrays are copied unless they are a
per-element transpose of a contiguous layout, which the tensor type's ``permutation`` expresses.
Nulls are refused (an NDArray has no missing values); unsupported types raise ``TypeError``
naming the type. NDArrays made from Arrow data are read-only, like ``to_numpy()``'s arrays:
Arrow data is immutable by convention.
"""
from __future__ import annotations

import math

import jpype
import numpy as np
import pyarrow as pa

from . import _jvm
from ._java import J, java_errors
from ._ndarray import NDArray, _wrap, array, asarray, zeros

# Arrow types whose values NDArray shares byte for byte, by their pyarrow string form.
_SHARED = {
    "halffloat": "float16",
    "float": "float32",
    "double": "float64",
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "uint8": "uint8",
}
_TO_ARROW = {
    "float16": pa.float16(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "uint8": pa.uint8(),
    "bool": pa.bool_(),
}
_EXPECTED = (
    "a pyarrow array of float16, float32, float64, int8, int16, int32, int64, uint8 or bool values, "
    "a FixedShapeTensorArray or fixed-size list of them, a ChunkedArray of those, or a numeric scalar"
)

# Java types and constants, looked up once: a JPype lookup by name costs tens of microseconds,
# as much as the whole zero-copy transfer otherwise.
_java: dict = {}


def _cached(key, make):
    v = _java.get(key)
    if v is None:
        v = _java[key] = make()
    return v


def _jdtype(name):
    return _cached(name, lambda: J.DType.of(name))


def _longs(values):
    return _cached("long[]", lambda: jpype.JArray(jpype.JLong))([int(v) for v in values])


def _runnable(run):
    return jpype.JProxy(_cached("Runnable", lambda: jpype.JClass("java.lang.Runnable")), dict={"run": run})


def _row_major(shape):
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= max(int(d), 1)
    return strides[::-1]


# ------------------------------------------------------------------ pyarrow -> NDArray


@java_errors
def from_arrow(obj) -> NDArray:
    """An NDArray sharing memory with a pyarrow array (read-only).

    Numeric arrays give [n]; a ``FixedShapeTensorArray`` gives [n, *shape] (a transposed view when
    its type has a permutation); a plain fixed-size list gives [n, list_size]. A ChunkedArray with
    one chunk is shared; several chunks are concatenated first (a copy). Bool arrays are converted
    (Arrow packs bits). A numeric scalar gives a 0-d array. Nulls raise ``ValueError``; other types
    raise ``TypeError``.
    """
    if isinstance(obj, pa.ChunkedArray):
        if obj.num_chunks == 1:
            return from_arrow(obj.chunk(0))
        return from_arrow(obj.combine_chunks())  # several chunks (or none): one contiguous copy
    if isinstance(obj, pa.Scalar):
        return _from_scalar(obj)
    if isinstance(obj, (pa.Table, pa.RecordBatch)):
        raise TypeError(
            f"from_arrow: expected one column. Received: a {type(obj).__name__} with columns {obj.schema.names}; "
            "select a column (table['x']) or use pj.data.Dataset.from_arrow for training data"
        )
    if not isinstance(obj, pa.Array):
        raise TypeError(f"from_arrow: expected {_EXPECTED}. Received: {type(obj).__name__}")
    if isinstance(obj.type, pa.FixedShapeTensorType):
        return _from_tensor(obj)
    if isinstance(obj, pa.FixedSizeListArray):
        return _from_list(obj, obj, [obj.type.list_size], None)
    _refuse_nulls("from_arrow", obj)
    if pa.types.is_boolean(obj.type):
        return array(obj.to_numpy(zero_copy_only=False))  # bits -> bytes: a copy
    dtype = _shared_dtype("from_arrow", obj.type)
    return _share(obj, obj, dtype, [len(obj)], obj.offset)


def _from_scalar(s: pa.Scalar) -> NDArray:
    if not s.is_valid:
        raise ValueError(f"from_arrow: the scalar is null; an NDArray cannot hold missing values. Received: {s!r}")
    if pa.types.is_boolean(s.type):
        return array(np.asarray(s.as_py(), dtype=np.bool_))
    return array(np.asarray(s.as_py(), dtype=_shared_dtype("from_arrow", s.type)))


def _from_tensor(t) -> NDArray:
    typ = t.type
    perm = list(typ.permutation) if typ.permutation is not None else None
    return _from_list(t, t.storage, list(typ.shape), perm)


def _from_list(owner, storage: pa.FixedSizeListArray, element_shape, permutation) -> NDArray:
    """[n, *element_shape] over a fixed-size list's child values; a transposed view for a permutation."""
    _refuse_nulls("from_arrow", storage)
    values = storage.values  # the whole child array; storage.offset counts lists into it
    _refuse_nulls("from_arrow", values)
    list_size = storage.type.list_size
    if math.prod(element_shape) != list_size:
        raise ValueError(
            f"from_arrow: a tensor shape of {element_shape} holds {math.prod(element_shape)} values, "
            f"but each list has {list_size}. Received: type={owner.type}"
        )
    shape = [len(storage), *element_shape]
    if pa.types.is_boolean(values.type):
        flat = values.slice(storage.offset * list_size, len(storage) * list_size)
        out = array(flat.to_numpy(zero_copy_only=False).reshape(shape))  # bits -> bytes: a copy
    else:
        dtype = _shared_dtype("from_arrow", values.type, owner.type)
        out = _share(owner, values, dtype, shape, storage.offset * list_size + values.offset)
    if permutation is None or permutation == sorted(permutation):
        return out
    return out.transpose(0, *[p + 1 for p in permutation])


def _share(owner, values: pa.Array, dtype: str, shape, element_offset: int) -> NDArray:
    """A read-only NDArray over the values buffer of ``values``; ``owner`` lives until the JVM lets go."""
    if math.prod(shape) == 0:
        return zeros(tuple(shape), dtype)  # nothing to share (the buffer may be absent)
    buf = values.buffers()[1]
    if not buf.is_cpu:
        raise ValueError(f"from_arrow: expected an array in host memory. Received: a buffer of device type {buf.device_type}")
    keep = [owner]  # emptied by the JVM when the last NDArray using the memory lets go
    j = J.NDArray.wrapHost(
        buf.address, buf.size, _jdtype(dtype), _longs(shape), _longs(_row_major(shape)), element_offset, False, None,
        _runnable(keep.clear),
    )
    return _wrap(j)


def _refuse_nulls(op, arr):
    if arr.null_count:
        raise ValueError(
            f"{op}: the array has {arr.null_count} null(s) in {len(arr)} values; an NDArray cannot hold missing values. "
            f"Fill or drop them first (pyarrow.compute.fill_null / drop_null). Received: type={arr.type}"
        )


def _shared_dtype(op, typ, outer=None) -> str:
    name = _SHARED.get(str(typ))
    if name is None:
        raise TypeError(f"{op}: expected {_EXPECTED}. Received: type={outer if outer is not None else typ}")
    return name


# ------------------------------------------------------------------ NDArray -> pyarrow


class _JvmMemory:
    """The base object of a pyarrow foreign buffer over JVM memory: one reference on the JVM
    buffer, dropped when pyarrow frees the buffer (after the JVM stopped, nothing is left to do)."""

    __slots__ = ("_j",)

    def __init__(self, j):
        j.retainBuffer()
        self._j = j

    def __del__(self):
        if jpype.isJVMStarted():
            try:
                self._j.releaseBuffer()
            except Exception:  # noqa: BLE001 - a finaliser must not raise
                pass


@java_errors
def to_arrow(a):
    """A pyarrow array sharing memory with an NDArray.

    1-D arrays give a plain array; N-d arrays [n, *shape] give a ``FixedShapeTensorArray`` of n
    tensors of ``shape``. Shared when the array is in host memory and row-major (or a per-element
    transpose of it, expressed by the tensor type's permutation); otherwise copied first. Bool
    arrays are converted (Arrow packs bits); a 0-d array gives a pyarrow scalar; bfloat16, which
    Arrow lacks, raises ``TypeError``.
    """
    if not isinstance(a, NDArray):
        a = asarray(a)
    j, temporary = a._j, None
    layout = _host_layout(j)
    if layout is None:  # device memory: a copy to the host first
        j = temporary = j.to(str(J.Backends.forDevice(_jvm.jclass("org.pyj4.ndarray.Device").CPU).name()))
        layout = _host_layout(j)
    try:
        name, address, shape, strides = layout
        if name not in _TO_ARROW:
            raise TypeError(f"to_arrow: Arrow has no {name} type; convert first, e.g. a.astype('float32'). Received: dtype={name}")
        if not shape:
            return pa.scalar(a.item(), type=_TO_ARROW[name])
        if name == "bool":  # bytes -> bits: a copy
            return _tensor(pa.array(a.numpy().ravel()), shape, list(range(len(shape))))
        physical = _physical_order(shape, strides)
        if physical is None:  # an arbitrary strided view: copied to row-major
            j = j.copy()
            if temporary is not None:
                temporary.close()
            temporary = j
            name, address, shape, strides = _host_layout(j)
            physical = list(range(len(shape)))
        size = math.prod(shape)
        if size == 0:
            return _tensor(pa.array(np.zeros(0, dtype=name)), shape, physical)
        buf = pa.foreign_buffer(address, size * np.dtype(name).itemsize, base=_JvmMemory(j))
        return _tensor(pa.Array.from_buffers(_TO_ARROW[name], size, [None, buf]), shape, physical)
    finally:
        if temporary is not None:
            temporary.close()  # the pyarrow buffer holds its own reference


def _host_layout(j):
    """(dtype name, address of the first element, shape, strides) of a host array, or None (one Java call)."""
    layout = _cached("HostLayout", lambda: _jvm.jclass("org.pyj4.arrow.HostLayout")).of(j)
    if layout is None:
        return None
    names = _cached("dtype names", lambda: [str(d.typeName()) for d in J.DType.values()])
    v = np.asarray(layout).tolist()
    rank = v[2]
    return names[v[0]], v[1], v[3 : 3 + rank], v[3 + rank :]


def _tensor(values: pa.Array, shape, physical):
    """``values`` as [n, *shape[1:]]: themselves for 1-D, else a FixedShapeTensorArray whose
    permutation maps the element's logical dimensions onto their memory order ``physical``."""
    if len(shape) == 1:
        return values
    element = [shape[p] for p in physical[1:]]  # the element's dimensions in memory order
    storage = pa.Array.from_buffers(pa.list_(values.type, math.prod(element)), shape[0], [None], children=[values])
    # logical dimension i of an element is memory dimension permutation[i]
    permutation = [physical[1:].index(i) for i in range(1, len(shape))]
    if permutation == sorted(permutation):
        permutation = None
    return pa.ExtensionArray.from_storage(pa.fixed_shape_tensor(values.type, element, permutation=permutation), storage)


def _physical_order(shape, strides):
    """Axes in memory order (outermost first) when the view is dense with axis 0 outermost, else None."""
    order = [0] + sorted(range(1, len(shape)), key=lambda d: -strides[d])
    expected = 1
    for d in reversed(order):
        if shape[d] != 1 and strides[d] != expected:
            return None
        expected *= shape[d]
    return order


# ------------------------------------------------------------------ record batch streams -> Arrow Java


def import_reader(reader: pa.RecordBatchReader):
    """An Arrow Java ArrowReader over a pyarrow RecordBatchReader (C stream interface, no copy).

    The Java reader pulls record batches only when asked for them; closing it releases the pyarrow
    reader. Buffers it hands out are accounted in pyj4's Arrow allocator (``arrow_java_bytes``).
    """
    reader = pa.RecordBatchReader.from_batches(reader.schema, (_unsliced_batch(b) for b in reader))
    allocator = _jvm.jclass("org.pyj4.arrow.ArrowMemory").root()
    stream = _jvm.jclass("org.apache.arrow.c.ArrowArrayStream").allocateNew(allocator)
    try:
        reader._export_to_c(int(stream.memoryAddress()))
        return _jvm.jclass("org.apache.arrow.c.Data").importArrayStream(allocator, stream)
    finally:
        stream.close()  # the Java reader moved the stream out of this struct


# Arrow Java 19's C Data import ignores an array's offset: a sliced array (table.slice, or
# to_batches(max_chunksize=...)) would be read from the start of its buffers, i.e. the wrong rows.
# So every column the JVM can read is re-based to offset 0 before export: fixed-width values by
# slicing their buffer (no copy), bools by a copy (they are copied on the JVM side anyway).


def _unsliced_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = [_unsliced(c) for c in batch.columns]
    if all(a is b for a, b in zip(columns, batch.columns)):
        return batch
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _unsliced(arr: pa.Array) -> pa.Array:
    if arr.null_count:  # refused on the JVM side (the exported null count is the slice's)
        return arr
    if isinstance(arr.type, pa.FixedShapeTensorType):
        storage = _unsliced(arr.storage)
        return arr if storage is arr.storage else pa.ExtensionArray.from_storage(arr.type, storage)
    if isinstance(arr, pa.FixedSizeListArray):
        values = arr.values
        if arr.offset == 0 and values.offset == 0:
            return arr
        size = arr.type.list_size
        flat = _rebased(values, arr.offset * size + values.offset, len(arr) * size)
        if flat is None:
            return arr
        return pa.Array.from_buffers(arr.type, len(arr), [None], children=[flat])
    if arr.offset == 0:
        return arr
    rebased = _rebased(arr, arr.offset, len(arr))
    return arr if rebased is None else rebased


def _rebased(values: pa.Array, start: int, length: int):
    """``length`` values of ``values``' buffers from element ``start``, at offset 0; None for types the JVM does not read."""
    if values.null_count:
        return None
    if pa.types.is_boolean(values.type):
        return pa.array(values.slice(start - values.offset, length).to_numpy(zero_copy_only=False))
    if str(values.type) not in _SHARED:
        return None
    item = values.type.bit_width // 8
    buf = values.buffers()[1]
    return pa.Array.from_buffers(values.type, length, [None, buf.slice(start * item, length * item)])


def arrow_java_bytes() -> int:
    """Bytes pyj4's Arrow Java allocator holds now (imported record batches, lent NDArray memory)."""
    return int(_jvm.jclass("org.pyj4.arrow.ArrowMemory").allocatedBytes())
