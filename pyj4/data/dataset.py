"""``pj.data.Dataset``: training data for the JVM training loop, from NumPy arrays, Arrow tables,
record batch streams or Parquet files.

A Dataset is (features, labels) by sample. It knows its length when it can (``size``, ``len``),
yields (x, y) NDArray batches (``batches``), and hands the JVM a ``org.pyj4.data.BatchSource``
(``to_java``) that a Java training loop iterates without calling back into Python per batch,
except to read the next record batch of a Python-side stream.

Two kinds, chosen by the source:

* In memory (NumPy arrays, NDArrays, a pyarrow Table / RecordBatch / list of batches): features
  and labels are two arrays, shared with NumPy or Arrow where possible (one feature column or a
  tensor column, one chunk), else gathered once (several feature columns: one copy). Batches in
  order are views; shuffled batches gather their rows, one batch at a time; the shuffle is global.
* Streamed (a RecordBatchReader, an iterable of record batches, a callable returning a fresh
  reader each pass, a pyarrow.dataset.Dataset, or ``from_parquet``): record batches reach the JVM
  through the Arrow C stream interface, one at a time, when the loop asks for them, so data larger
  than memory trains in constant memory. Shuffling permutes rows within each record batch.
  A one-shot source (a reader or iterator) can be read once; a callable, a pyarrow dataset or a
  Parquet path can be read every epoch.
"""
from __future__ import annotations

import numbers
import os
import secrets
import weakref

import jpype
import numpy as np
import pyarrow as pa

from .. import _arrow, _jvm
from .._java import java_errors
from .._ndarray import NDArray, _wrap, asarray, dtype_name

__all__ = ["Dataset"]

_SUPPORTED_VALUES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


def _java(name):
    return _jvm.jclass(name)


class Dataset:
    """Training data: features and (optional) labels, sample by sample. Build one with
    :meth:`from_numpy`, :meth:`from_arrow` or :meth:`from_parquet`."""

    def __init__(self, *_args, **_kwargs):
        raise TypeError("use Dataset.from_numpy, Dataset.from_arrow or Dataset.from_parquet to make a Dataset")

    @classmethod
    def _make(cls, **fields):
        ds = object.__new__(cls)
        ds._x = ds._y = None  # in memory: NDArrays
        ds._open = None  # streamed: a callable returning a pyarrow RecordBatchReader for one pass
        ds._columns = None  # streamed: the Java Columns
        ds.features = ds.label = None
        ds._size = None
        ds._sources = []  # Java BatchSources handed out by to_java(), closed with the dataset
        for k, v in fields.items():
            setattr(ds, k, v)
        _live.add(ds)
        return ds

    # ------------------------------------------------------------------ construction

    @classmethod
    @java_errors
    def from_numpy(cls, x, y=None) -> Dataset:
        """Features ``x`` [n, ...] and labels ``y`` [n, ...] (or None), shared with NumPy without a copy
        when they are NumPy arrays of a supported dtype (see ``pj.asarray``)."""
        xa = asarray(x)
        if xa.ndim == 0:
            raise ValueError(f"Dataset.from_numpy: x needs a first (sample) axis. Received: x.shape={xa.shape}")
        ya = None
        if y is not None:
            ya = asarray(y)
            if ya.ndim == 0 or ya.shape[0] != xa.shape[0]:
                raise ValueError(
                    "Dataset.from_numpy: x and y must have the same number of samples (first axis). "
                    f"Received: x.shape={xa.shape}, y.shape={ya.shape}"
                )
        return cls._make(_x=xa, _y=ya, _size=xa.shape[0])

    @classmethod
    @java_errors
    def from_arrow(cls, source, features=None, label=None, dtype=None) -> Dataset:
        """Training data from Arrow.

        source: a ``pyarrow.Table``, ``RecordBatch`` or list of record batches (held in memory); or a
            ``RecordBatchReader``, an iterable of record batches (read once), a zero-argument callable
            returning a fresh reader / table / iterable for each pass, or a ``pyarrow.dataset.Dataset``
            (streamed, read every pass).
        features: feature column names (default: every column but the label). One tensor column gives
            x of shape [n, *shape]; otherwise x is [n, width] with each column's values side by side.
        label: the label column, or None for unlabelled data.
        dtype: the features' dtype; default NumPy's promotion of the feature columns' dtypes.
        """
        if isinstance(source, (pa.Table, pa.RecordBatch)) or (
            isinstance(source, (list, tuple)) and all(isinstance(b, pa.RecordBatch) for b in source)
        ):
            table = _as_table(source)
            feats, lab = _select(table.schema, features, label, "Dataset.from_arrow")
            return cls._in_memory(table.select(feats + ([lab] if lab else [])), feats, lab, dtype)
        open_pass, schema, size = _stream_opener(source)
        if schema is None:  # a callable: open one pass to learn the columns
            probe = open_pass()
            schema = probe.schema
            probe.close()
        feats, lab = _select(schema, features, label, "Dataset.from_arrow")
        return cls._streamed(open_pass, feats, lab, dtype, size)

    @classmethod
    @java_errors
    def from_parquet(cls, path, features=None, label=None, dtype=None, batch_rows=65536) -> Dataset:
        """A Parquet file read with pyarrow, ``batch_rows`` rows at a time, only the needed columns,
        every pass (epoch) streamed again from the file: data larger than memory is fine."""
        import pyarrow.parquet as pq

        path = os.fspath(path)
        _positive("batch_rows", batch_rows)
        with pq.ParquetFile(path) as f:
            schema = f.schema_arrow
            rows = f.metadata.num_rows
        feats, lab = _select(schema, features, label, "Dataset.from_parquet")
        columns = feats + ([lab] if lab else [])

        read_schema = pa.schema([schema.field(c) for c in columns])

        def open_pass():
            def batches():
                with pq.ParquetFile(path) as f:  # closed when the pass ends or is dropped
                    yield from f.iter_batches(batch_size=int(batch_rows), columns=columns)

            return pa.RecordBatchReader.from_batches(read_schema, batches())

        return cls._streamed(open_pass, feats, lab, dtype, rows)

    @classmethod
    def _in_memory(cls, table: pa.Table, feats, lab, dtype):
        columns = _columns(feats, lab, dtype)
        reader = _arrow.import_reader(table.to_reader())
        try:
            both = columns.readAll(reader)  # shares Arrow memory where Columns can, else one copy
        finally:
            reader.close()
        return cls._make(_x=_wrap(both.features()), _y=_wrap(both.labels()) if both.labels() is not None else None,
                         _size=table.num_rows, features=feats, label=lab)

    @classmethod
    def _streamed(cls, open_pass, feats, lab, dtype, size):
        return cls._make(_open=open_pass, _columns=_columns(feats, lab, dtype), _size=size, features=feats, label=lab)

    # ------------------------------------------------------------------ what a training loop needs

    @property
    def size(self):
        """Number of samples, or None when unknown (a stream)."""
        return self._size

    def __len__(self):
        if self._size is None:
            raise TypeError("this Dataset streams record batches and does not know its length (size is None)")
        return int(self._size)

    @property
    def x(self):
        """The features array of an in-memory dataset (None for a streamed one)."""
        return self._x

    @property
    def y(self):
        """The labels array of an in-memory dataset (None for a streamed or unlabelled one)."""
        return self._y

    @java_errors
    def to_java(self, batch_size, shuffle=False, seed=None):
        """A ``org.pyj4.data.BatchSource`` over this dataset for the JVM training loop: each
        ``iterator()`` is one epoch (a new order when shuffling, reproducible given ``seed``).
        Close it when done; it is closed with the dataset otherwise."""
        source, release = self._java_source(_batching(batch_size, shuffle, seed))
        still_open = []
        for s, r in self._sources:  # forget the sources their users closed already
            if s.isClosed():
                r()
            else:
                still_open.append((s, r))
        self._sources = still_open + [(source, release)]
        return source

    def batches(self, batch_size, shuffle=False, seed=None, epoch=0):
        """One pass as (x, y) NDArray pairs (y is None without labels), ``batch_size`` samples each,
        the last one possibly smaller. With ``shuffle``, the order depends only on (seed, epoch)."""
        source, release = self._java_source(_batching(batch_size, shuffle, seed))
        try:
            it = _call(source.iterator, int(epoch))
            while _call(it.hasNext):
                b = _call(it.next)
                labels = b.labels()
                yield _wrap(b.features()), (_wrap(labels) if labels is not None else None)
        finally:
            if jpype.isJVMStarted():
                source.close()
            release()

    def close(self):
        """Closes the Java sources handed out by :meth:`to_java` (and the readers they hold open)."""
        sources, self._sources = self._sources, []
        for source, release in sources:
            if jpype.isJVMStarted():
                source.close()
            release()

    def _java_source(self, batching):
        """(a Java BatchSource, a function that lets go of the Python objects it reads from)."""
        if self._open is None:
            source = _java("org.pyj4.arrow.ArrayDataset")(self._x._j, None if self._y is None else self._y._j, batching)
            return source, _nothing
        # The Java source calls back for a reader at each pass. It keeps the Python callback alive
        # until the Java GC collects it, so the callback reaches the data through `opener`, which
        # closing the source empties: the data goes when the source is closed, not at some later GC.
        opener = [self._open]

        def next_reader():
            if not opener:
                raise RuntimeError("this BatchSource was closed")
            return _arrow.import_reader(opener[0]())

        supplier = jpype.JProxy("java.util.function.Supplier", dict={"get": next_reader})
        size = -1 if self._size is None else int(self._size)
        return _java("org.pyj4.arrow.ArrowDataset")(supplier, self._columns, batching, size), opener.clear

    def __repr__(self):
        kind = "in memory" if self._open is None else "streamed"
        size = "unknown size" if self._size is None else f"{self._size} samples"
        if self._x is not None:
            what = f"x{self._x.shape} {self._x.dtype}" + (f", y{self._y.shape} {self._y.dtype}" if self._y is not None else "")
        else:
            what = f"features={self.features}, label={self.label!r}"
        return f"Dataset({what}; {size}, {kind})"


_live: "weakref.WeakSet[Dataset]" = weakref.WeakSet()


@_jvm.on_shutdown
def _close_all():
    """Before the JVM stops: end open passes, so that no Arrow stream is left half-read."""
    for ds in list(_live):
        ds.close()


# ------------------------------------------------------------------ helpers


def _nothing():
    pass


def _call(fn, *args):
    try:
        return fn(*args)
    except jpype.JException as e:
        from .._java import translate

        raise translate(e) from None


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")


def _batching(batch_size, shuffle, seed):
    _positive("batch_size", batch_size)
    Batching = _java("org.pyj4.arrow.Batching")
    if not shuffle:
        return Batching.inOrder(int(batch_size))
    if seed is None:
        seed = secrets.randbits(63)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an integer or None. Received: seed={seed!r}")
    return Batching.shuffled(int(batch_size), jpype.JLong(int(seed) & 0x7FFFFFFFFFFFFFFF))


def _columns(feats, lab, dtype):
    DType = _java("org.pyj4.ndarray.DType")
    jd = None if dtype is None else DType.of(dtype_name(dtype))
    names = jpype.java.util.ArrayList()
    for f in feats:
        names.add(f)
    return _java("org.pyj4.arrow.Columns")(names, lab, jd)


def _as_table(source) -> pa.Table:
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    if not source:
        raise ValueError("Dataset.from_arrow: expected at least one record batch. Received: an empty list")
    return pa.Table.from_batches(list(source))


def _select(schema: pa.Schema, features, label, op):
    """Checks the columns exist and have types the JVM side can take; returns (features, label)."""
    names = schema.names
    if label is not None and label not in names:
        raise ValueError(f"{op}: label column {label!r} not found. Available columns: {names}")
    if features is None:
        features = [n for n in names if n != label]
    elif isinstance(features, str):
        features = [features]
    features = list(features)
    if not features:
        raise ValueError(f"{op}: expected at least one feature column. Received: features={features}")
    for f in features:
        if f not in names:
            raise ValueError(f"{op}: feature column {f!r} not found. Available columns: {names}")
    if label is not None and label in features:
        raise ValueError(f"{op}: label column {label!r} is also listed as a feature. Received: features={features}")
    for c in features + ([label] if label is not None else []):
        _check_type(op, c, schema.field(c).type)
    return features, label


def _check_type(op, column, typ):
    values = typ
    if isinstance(typ, pa.FixedShapeTensorType):
        values = typ.value_type
    elif pa.types.is_fixed_size_list(typ):
        values = typ.value_type
    name = "bool" if pa.types.is_boolean(values) else _arrow._SHARED.get(str(values))
    if name not in _SUPPORTED_VALUES:
        raise TypeError(
            f"{op}: column {column!r} has type {typ}; expected {', '.join(_SUPPORTED_VALUES)} values, "
            "or a fixed-size list / fixed_shape_tensor of them"
        )


def _stream_opener(source):
    """(open_pass, schema or None, size or None) for a streamed source."""
    if isinstance(source, pa.RecordBatchReader):
        return _once(source), source.schema, None
    try:
        import pyarrow.dataset as pads

        if isinstance(source, pads.Dataset):
            return (lambda: source.scanner().to_reader()), source.schema, None
    except ImportError:  # pragma: no cover - pyarrow without the dataset module
        pass
    if callable(source):
        return (lambda: _as_reader(source(), "the callable's result")), None, None
    if isinstance(source, (str, bytes, os.PathLike, np.ndarray, NDArray)):
        raise TypeError(
            "Dataset.from_arrow: expected a pyarrow Table, RecordBatch(es), RecordBatchReader, an iterable of record "
            f"batches or a callable returning one. Received: {type(source).__name__}"
            + ("; for a Parquet file use Dataset.from_parquet(path)" if isinstance(source, (str, os.PathLike)) else "")
        )
    try:
        it = iter(source)
    except TypeError:
        raise TypeError(
            "Dataset.from_arrow: expected a pyarrow Table, RecordBatch(es), RecordBatchReader, an iterable of record "
            f"batches or a callable returning one. Received: {type(source).__name__}"
        ) from None
    first = next(it, None)
    if not isinstance(first, pa.RecordBatch):
        raise TypeError(
            "Dataset.from_arrow: expected an iterable of pyarrow RecordBatch. Received: "
            f"{'an empty iterable' if first is None else 'an iterable of ' + type(first).__name__}"
        )

    def rest():
        yield first
        for b in it:
            yield b

    return _once(pa.RecordBatchReader.from_batches(first.schema, rest())), first.schema, None


def _once(reader):
    """An opener for a one-shot reader: the first pass gets it, a second pass is an error."""
    box = [reader]

    def open_pass():
        if not box:
            raise RuntimeError(
                "this Dataset reads a one-shot stream (a RecordBatchReader or an iterator) that a previous pass "
                "consumed; to read the data every epoch, pass a callable returning a fresh reader, a "
                "pyarrow.dataset.Dataset, or use Dataset.from_parquet(path)"
            )
        return box.pop()

    return open_pass


def _as_reader(obj, what) -> pa.RecordBatchReader:
    if isinstance(obj, pa.RecordBatchReader):
        return obj
    if isinstance(obj, pa.Table):
        return obj.to_reader()
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj]).to_reader()
    opener, _, _ = _stream_opener(obj)
    return opener()
