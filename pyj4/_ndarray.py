"""pj.NDArray: a thin Python face on org.pyj4.ndarray.NDArray. The math runs in the JVM; this module
maps Python syntax (operators, indexing, keyword arguments) onto Java calls and back.

Ownership: each Python NDArray holds one Java array and closes it when it is garbage collected
(CPython frees it as soon as the last reference goes), so native memory follows Python lifetimes.
NumPy views of JVM memory hold their own reference to the buffer, so they stay valid after the
NDArray that made them is gone.
"""
from __future__ import annotations

import numbers
import os
import threading

import _jpype
import jpype
import numpy as np

from ._java import J, java_errors, released, translate

_SUPPORTED = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")
_SAME_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2}


def dtype_name(dtype) -> str:
    """Normalises a dtype given as a string, NumPy dtype/type or Python type to pyj4's name."""
    if dtype is None:
        return None
    if isinstance(dtype, str) and dtype.lower() in ("bfloat16", "bf16"):
        return "bfloat16"
    if dtype is float:
        return "float64"
    if dtype is int:
        return "int64"
    if dtype is bool:
        return "bool"
    try:
        name = np.dtype(dtype).name
    except TypeError:
        raise TypeError(f"unsupported dtype: expected one of {', '.join(_SUPPORTED)}. Received: dtype={dtype!r}") from None
    if name not in _SUPPORTED:
        raise TypeError(f"unsupported dtype: expected one of {', '.join(_SUPPORTED)}. Received: dtype={name}")
    return name


def _jdtype(dtype):
    return J.DType.of(dtype_name(dtype))


_new = object.__new__
_jvm_running = _jpype.isStarted  # what jpype.isJVMStarted() returns, without its Python frame


def _wrap(j):
    a = NDArray.__new__(NDArray)
    a._jo = j
    a._h = 0
    a._n = 0
    a._small = False
    return a


# Results of the operator fast path with at most this many elements are "small": when their Python
# owner goes, closing them waits for the next operator call (one Java call fewer per op).
_SMALL = 4096


def _wrap_handle(h, n):
    """An NDArray for a fast-path result named by handle h; n: an upper bound of its element count
    (0: unknown). Its JPype object is made only if something asks for it (see NDArray._j)."""
    a = NDArray.__new__(NDArray)
    a._jo = None
    a._h = h
    if 0 < n <= _SMALL:
        a._n = n
        a._small = True
    else:
        a._n = 0
        a._small = False
    return a


def _take_released():
    """A released handle for the next fast-path call to close (0 if there is none)."""
    if released:
        try:
            return released.pop()
        except IndexError:  # another thread took it
            pass
    return 0


class _HostView:
    """Keeps a JVM buffer alive for a NumPy array that views it (NumPy's ``base``)."""

    __slots__ = ("_j", "__array_interface__")

    def __init__(self, j, interface):
        j.retainBuffer()
        self._j = j
        self.__array_interface__ = interface

    def __del__(self):
        if jpype.isJVMStarted():
            try:
                self._j.releaseBuffer()
            except Exception:
                pass


_UNARY = {}  # UnaryOp ordinals by name, looked up once


def _to_array(x) -> NDArray:
    """An operand of an arithmetic op as an NDArray; Python scalars stay weakly typed (NEP 50)."""
    if isinstance(x, NDArray):
        return x
    if isinstance(x, bool):
        return _wrap(J.NDArray.scalar(jpype.JBoolean(x)))
    if isinstance(x, int):
        if not -(2**63) <= x < 2**63:
            raise OverflowError(f"Python integer {x} out of bounds for int64")
        return _wrap(J.NDArray.scalar(jpype.JLong(x)))
    if isinstance(x, float):
        return _wrap(J.NDArray.scalar(jpype.JDouble(x)))
    return array(x)


def _axes(axis):
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return jpype.JArray(jpype.JInt)([_int_axis(a) for a in axis])
    return jpype.JArray(jpype.JInt)([_int_axis(axis)])


def _int_axis(a):
    if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral):
        raise TypeError(f"axis must be an integer or a tuple of integers. Received: axis={a!r}")
    return int(a)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    for d in shape:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, numbers.Integral):
            raise TypeError(f"shape must be a sequence of integers. Received: {tuple(shape)!r}")
    return _long_array()([int(d) for d in shape])


def _index_item(k, keep):
    I = J.Index
    if k is None:
        return I.newAxis()
    if k is Ellipsis:
        return I.ellipsis()
    if isinstance(k, slice):
        parts = []
        for v in (k.start, k.stop, k.step):
            if v is None:
                parts.append(None)
            elif isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)):
                parts.append(jpype.JObject(int(v), jpype.JClass("java.lang.Long")))
            elif isinstance(v, NDArray) and v.ndim == 0 and v.dtype.kind in "iu":
                parts.append(jpype.JObject(int(v), jpype.JClass("java.lang.Long")))
            else:
                raise TypeError(f"slice indices must be integers or None. Received: {v!r}")
        return I.slice(*parts)
    if isinstance(k, (bool, np.bool_)):
        raise IndexError("a scalar boolean index is not supported; use a boolean array")
    if isinstance(k, numbers.Integral):
        return I.at(int(k))
    if isinstance(k, NDArray):
        return I.array(k._j)
    if isinstance(k, (list, np.ndarray)):
        arr = np.asarray(k)
        if arr.size == 0 and arr.dtype == np.float64:
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "biu":
            raise IndexError(f"arrays used as indices must be of integer (or boolean) type. Received: dtype={arr.dtype}")
        made = asarray(arr)
        keep.append(made)  # the Java index array lives as long as its Python owner
        return I.array(made._j)
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and integer or boolean arrays are valid indices. "
        f"Received: {type(k).__name__}"
    )


def _index(key, keep):
    """The Java Index[] for a Python key; arrays made on the way are appended to ``keep``."""
    items = key if isinstance(key, tuple) else (key,)
    return jpype.JArray(J.Index)([_index_item(k, keep) for k in items])


def _enum_constant(enum_name, member):
    """A Java enum constant, looked up once (a JPype attribute read costs about a microsecond)."""
    cache = {}

    def get():
        c = cache.get(member)
        if c is None:
            c = cache[member] = getattr(getattr(J, enum_name), member)
        return c

    return get


class _Fast:
    """The Java entry points of the operator fast path, bound on first use (see _bind_frame): each
    takes its arguments from, and leaves its result in, this thread's argument frame (see
    NDArray.binaryFrame in Java). JPype's call without arguments or result costs a third of one
    with them."""

    binary = None
    binary_double = None
    binary_long = None
    unary = None
    register = None
    lookup = None
    accelerated = False

    @classmethod
    def bind(cls):
        global _binary_frame
        cls.register = J.NDArray.register
        cls.lookup = J.NDArray.fromHandle
        cls.unary = J.NDArray.unaryFrame
        cls.binary_double = J.NDArray.binaryDoubleFrame
        cls.binary_long = J.NDArray.binaryLongFrame
        cls.binary = _binary_frame = J.NDArray.binaryFrame
        cls.accelerated = _install_accel()


# NDArray's binary operators that pyj4._accel (C, optional) runs when the other operand is a pyj4 array
# or a Python float or int (a reflected one, __radd__, only for those), with their BinaryOp names. The
# Python operators stay the definition and the fallback.
_ACCEL_OPERATORS = {
    "__add__": "ADD", "__sub__": "SUB", "__mul__": "MUL", "__truediv__": "DIV", "__floordiv__": "FLOORDIV",
    "__mod__": "MOD", "__pow__": "POW", "__and__": "AND", "__or__": "OR", "__xor__": "XOR",
    "__eq__": "EQ", "__ne__": "NE", "__lt__": "LT", "__gt__": "GT", "__le__": "LE", "__ge__": "GE",
    "__radd__": "ADD", "__rsub__": "SUB", "__rmul__": "MUL", "__rtruediv__": "DIV", "__rfloordiv__": "FLOORDIV",
    "__rmod__": "MOD", "__rpow__": "POW", "__rand__": "AND", "__ror__": "OR", "__rxor__": "XOR",
}


def _close_handle(h):
    J.NDArray.closeHandle(h)


def _install_accel() -> bool:
    """Puts pyj4._accel's operators and __del__ on NDArray (see pyj4/_accel.c): the same Java calls
    without Python code or JPype in between. False (the Python path stays) when the extension was not
    built, PYJ4_ACCEL=0, or it cannot reach the JVM's entry points."""
    if os.environ.get("PYJ4_ACCEL", "1") == "0":
        return False
    try:
        from . import _accel
    except ImportError:
        return False
    with _accel_lock:  # threads may bind at once; each method must wrap the Python one, once
        if isinstance(NDArray.__dict__["__del__"], _accel.FastMethod):
            return True
        try:
            _accel.install(NDArray, released, _jvm_running, _close_handle, "libjvm.so", _SMALL)
        except Exception:
            return False
        for name, op in _ACCEL_OPERATORS.items():
            fallback = NDArray.__dict__[name]
            code = int(getattr(J.BinaryOp, op).ordinal())
            setattr(NDArray, name, _accel.binary_method(code, name.startswith("__r"), fallback))
        NDArray.__matmul__ = _accel.matmul_method(NDArray.__dict__["__matmul__"])
        NDArray.__del__ = _accel.del_method(NDArray.__dict__["__del__"])
    return True


_accel_lock = threading.Lock()


def accelerated() -> bool:
    """Whether NDArray's operators run through pyj4._accel (after the first operator call)."""
    return bool(_Fast.accelerated)


def accel_module():
    """pyj4._accel once it is installed (binding the entry points if nothing has yet), else None."""
    if _Fast.binary is None:
        _Fast.bind()
    if not _Fast.accelerated:
        return None
    from . import _accel
    return _accel


_binary_frame = None  # _Fast.binary as a global: the hot path reads it without a class lookup

# Words of the argument frame (NDArray.FRAME_* in Java). The hot path in _binary writes them as literals.
_OP, _A, _B, _DONE, _FLAGS, _RESULT = range(6)


class _Frame(threading.local):
    """This thread's argument frame (NDArray.callFrame in Java) as int64 words (q) and float64 words
    (d). Only the fast path's straight-line code, from writing the arguments to reading the result,
    uses it; nothing in between allocates (so no garbage collection runs a __del__ there). A signal
    handler that itself runs pyj4 operators right after the Java call returns could overwrite the
    result word: the one reentry this does not guard against (model.predict's staging does)."""

    q = None
    d = None


_frame = _Frame()


def _bind_frame():
    """Binds this thread's frame (and the entry points); returns its int64 view."""
    if _Fast.binary is None:
        _Fast.bind()
    words = memoryview(J.NDArray.callFrame()).cast("B")
    _frame.d = words.cast("d")
    q = _frame.q = words.cast("q")
    return q


def _jvm_gone():
    """Raises pyj4's error for a JVM that was shut down (jpype.shutdownJVM): the fast path's cached
    Java methods must not be called then (JPype aborts the process)."""
    from . import _jvm

    _jvm.ensure_started()  # raises: a JVM cannot be restarted
    raise RuntimeError("the JVM is not running")


def _frame_call(call, f, done):
    """call() once its arguments are in frame f; returns the result handle."""
    if not _jvm_running():
        _jvm_gone()
    try:
        call()
    except BaseException as e:
        return _frame_failed(e, call, f, done)
    return f[_RESULT]


def _frame_failed(e, call, f, done):
    """After a frame call raised e: retries once if this thread was attached to the JVM anew (the new
    attachment has no frame yet); else `done` goes back to wait for the next call (a closed or stale
    handle closes nothing) and a Java exception becomes NumPy's."""
    if isinstance(e, jpype.JException) and not J.NDArray.hasCallFrame():
        g = _bind_frame()
        g[:] = f
        try:
            call()
            return g[_RESULT]
        except BaseException as again:
            e = again
    if done:
        released.append(done)
    if isinstance(e, jpype.JException):
        raise translate(e) from None
    raise e


def _scalar_op(code, a, s, scalar_first):
    """``a op s`` (``s op a`` if scalar_first) for a Python float or int s, in one Java call; None
    when s is not one (an int beyond int64 takes the general path, which raises NumPy's error)."""
    tp = type(s)
    if tp is not float and (tp is not int or not -(2**63) <= s < 2**63):
        return None
    f = _frame.q or _bind_frame()
    try:
        f[_A] = a._h or _handle(a)
    except jpype.JException as e:
        raise translate(e) from None
    if tp is float:
        _frame.d[_B] = s
        call = _Fast.binary_double
    else:
        f[_B] = s
        call = _Fast.binary_long
    f[_OP] = code
    f[_FLAGS] = scalar_first
    f[_DONE] = done = _take_released()
    return _wrap_handle(_frame_call(call, f, done), a._n)  # a scalar does not grow the result


def _handle(a):
    """a's handle, registering its Java array on first use (a one-off call per array)."""
    h = a._h
    if not h:
        if _Fast.register is None:
            _Fast.bind()
        if not _jvm_running():
            _jvm_gone()
        h = a._h = int(_Fast.register(a._jo))
    return h


def _binary(op_name):
    op = _enum_constant("BinaryOp", op_name)
    code = -1  # the op's ordinal, looked up on first use

    def ordinal():
        nonlocal code
        if code < 0:
            code = int(op().ordinal())
        return code

    def forward(self, other):
        if type(other) is NDArray:  # the common case: one Java call through this thread's frame
            f = _frame.q
            if f is None or code < 0:
                ordinal()
                f = _frame.q or _bind_frame()
            try:
                f[1] = self._h or _handle(self)  # _A (see _OP...)
                f[2] = other._h or _handle(other)  # _B
            except jpype.JException as e:
                raise translate(e) from None
            f[0] = code  # _OP
            done = 0
            if released:
                try:
                    done = released.pop()
                except IndexError:  # another thread took it
                    pass
            f[3] = done  # _DONE
            if not _jvm_running():
                _jvm_gone()
            try:
                _binary_frame()
                h = f[5]  # _RESULT
            except BaseException as e:
                h = _frame_failed(e, _binary_frame, f, done)
            # As _wrap_handle (inlined: this is the hot path). The result has at most as many
            # elements as both operands' counts multiplied.
            r = _new(NDArray)
            r._jo = None
            r._h = h
            n = self._n * other._n
            if 0 < n <= _SMALL:
                r._n = n
                r._small = True
            else:
                r._n = 0
                r._small = False
            return r
        tp = type(other)
        if tp is float or tp is int:  # a Python scalar: one Java call too
            r = _scalar_op(ordinal(), self, other, False)
            if r is not None:
                return r
        return forward_any(self, other)

    @java_errors
    def forward_any(self, other):
        try:
            o = _to_array(other)
        except TypeError:
            return NotImplemented
        return _wrap(self._j.binary(op(), o._j))

    def reflected(self, other):
        tp = type(other)
        if tp is float or tp is int:
            r = _scalar_op(ordinal(), self, other, True)
            if r is not None:
                return r
        return reflected_any(self, other)

    @java_errors
    def reflected_any(self, other):
        try:
            o = _to_array(other)
        except TypeError:
            return NotImplemented
        return _wrap(o._j.binary(op(), self._j))

    return forward, reflected


def _kind_rank(dtype):
    return 2 if isinstance(dtype, str) else _SAME_KIND_ORDER[dtype.kind]


def _inplace(op_name):
    forward, _ = _binary(op_name)

    def method(self, other):
        result = forward(self, other)
        if result is NotImplemented:
            return result
        target, got = self.dtype, result.dtype
        if _kind_rank(got) > _kind_rank(target):
            raise TypeError(
                f"Cannot cast ufunc '{op_name.lower()}' output from dtype('{got}') to dtype('{target}') with casting rule 'same_kind'"
            )
        self[...] = result
        return self

    return method


class NDArray:
    """An n-dimensional array in JVM (or device) memory with NumPy semantics."""

    # _jo: the Java array's JPype object (None until needed for arrays named by a handle); _h: its
    # handle for the operator fast path (0: none yet); _n: an upper bound of the element count when
    # cheaply known (0: unknown); _small: a fast-path result of at most _SMALL elements, whose
    # closing may wait for the next operator call.
    __slots__ = ("_jo", "_h", "_n", "_small", "__weakref__")
    __array_ufunc__ = None  # NumPy defers `np_array + pj_array` to our reflected operators

    def __init__(self, obj, dtype=None):
        made = array(obj, dtype)
        # take over the Java array (and handle) without closing it
        self._jo, self._h, self._n, self._small = made._jo, made._h, made._n, False
        made._jo, made._h = None, 0

    @property
    def _j(self):
        """The Java array (org.pyj4.ndarray.NDArray)."""
        j = self._jo
        if j is None and self._h:
            if not _jvm_running():
                _jvm_gone()
            j = self._jo = _Fast.lookup(self._h)
        return j

    def __del__(self):
        try:
            h = self._h
        except AttributeError:  # __init__ failed before it set the slots
            return
        if h:
            if self._small:
                # A small operator result: hand its closing to the next operator call, which makes
                # it on its way into Java. At most one waits; a second one is closed now.
                released.append(h)
                if len(released) < 2:
                    return
                try:
                    h = released.pop()
                except IndexError:
                    return
            if not _jvm_running():
                return
            try:
                J.NDArray.closeHandle(h)
            except Exception:
                pass
            return
        j = getattr(self, "_jo", None)
        if j is not None and jpype.isJVMStarted():
            try:
                j.close()
            except Exception:
                pass

    # -- properties
    @property
    def shape(self) -> tuple:
        return tuple(int(d) for d in self._j.shape())

    @property
    def dtype(self):
        name = str(self._j.dtype().typeName())
        return "bfloat16" if name == "bfloat16" else np.dtype(name)

    @property
    def ndim(self) -> int:
        return int(self._j.ndim())

    @property
    def size(self) -> int:
        return int(self._j.size())

    @property
    def device(self) -> str:
        return str(self._j.device().type())

    @property
    def T(self) -> NDArray:
        return self.transpose()

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return int(self._j.shape()[0])

    # -- conversion
    @java_errors
    def numpy(self) -> np.ndarray:
        """The array as NumPy: a view of the same memory for host arrays (bfloat16 comes back as float32)."""
        j = self._j
        temporaries = []
        if str(j.device().type()) != "cpu":
            j = j.to("cpu")
            temporaries.append(j)
        if str(j.dtype().typeName()) == "bfloat16":
            j = j.astype(J.DType.FLOAT32)
            temporaries.append(j)
        dt = np.dtype(str(j.dtype().typeName()))
        item = dt.itemsize
        interface = {
            "version": 3,
            "typestr": dt.str,
            "shape": tuple(int(d) for d in j.shape()),
            "strides": tuple(int(s) * item for s in j.strides()),
            "data": (int(j.bufferAddress()) + int(j.offset()) * item, not bool(j.isWritable())),
        }
        view = np.asarray(_HostView(j, interface))  # holds its own reference to the buffer
        for t in temporaries:
            t.close()
        return view

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return a.copy() if copy else a

    def tolist(self):
        return self.numpy().tolist()

    def item(self):
        return self.numpy().item()

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __index__(self):
        if isinstance(self.dtype, str) or self.dtype.kind not in "iu":
            raise TypeError(f"only integer arrays can be used as an index. Received: dtype={self.dtype}")
        return int(self._scalar("index"))

    def __bool__(self):
        if self.size != 1:
            raise ValueError(
                "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all(). "
                f"Received: shape={self.shape}"
            )
        return bool(self._scalar("bool"))

    def _scalar(self, what):
        if self.size != 1:
            raise TypeError(f"only arrays of one element can be converted to Python {what}. Received: shape={self.shape}")
        return self.numpy().reshape(()).item()

    def __repr__(self):
        if self._j.isClosed():
            return "NDArray(<closed>)"
        body = np.array2string(self.numpy(), separator=", ", prefix="NDArray(")
        return f"NDArray({body}, dtype={self.dtype}, device={self.device})"

    def __str__(self):
        return str(self.numpy())

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(len(self)):
            yield self[i]

    # -- device and dtype
    @java_errors
    def to(self, device: str) -> NDArray:
        return _wrap(self._j.to(str(device)))

    @java_errors
    def astype(self, dtype) -> NDArray:
        return _wrap(self._j.astype(_jdtype(dtype)))

    @java_errors
    def copy(self) -> NDArray:
        return _wrap(self._j.copy())

    # -- views
    @java_errors
    def reshape(self, *shape) -> NDArray:
        return _wrap(self._j.reshape(_shape_arg(shape)))

    @java_errors
    def transpose(self, *axes) -> NDArray:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        return _wrap(self._j.transpose(jpype.JArray(jpype.JInt)([_int_axis(a) for a in axes])))

    @java_errors
    def flatten(self) -> NDArray:
        return _wrap(self._j.flatten())

    @java_errors
    def ravel(self) -> NDArray:
        return _wrap(self._j.ravel())

    @java_errors
    def squeeze(self, axis=None) -> NDArray:
        axes = _axes(axis)
        return _wrap(self._j.squeeze(axes if axes is not None else jpype.JArray(jpype.JInt)([])))

    @java_errors
    def expand_dims(self, axis) -> NDArray:
        return _wrap(self._j.expandDims(_int_axis(axis)))

    @java_errors
    def broadcast_to(self, shape) -> NDArray:
        return _wrap(self._j.broadcastTo(_shape_arg((shape,))))

    # -- indexing
    @java_errors
    def __getitem__(self, key) -> NDArray:
        keep = []
        return _wrap(self._j.get(_index(key, keep)))

    @java_errors
    def __setitem__(self, key, value):
        v = _to_array(value)
        keep = []
        self._j.set(_index(key, keep), v._j)

    # -- reductions
    @java_errors
    def sum(self, axis=None, keepdims=False):
        return _wrap(self._j.sum(_axes(axis), bool(keepdims)))

    @java_errors
    def prod(self, axis=None, keepdims=False):
        return _wrap(self._j.prod(_axes(axis), bool(keepdims)))

    @java_errors
    def mean(self, axis=None, keepdims=False):
        return _wrap(self._j.mean(_axes(axis), bool(keepdims)))

    @java_errors
    def max(self, axis=None, keepdims=False):
        return _wrap(self._j.max(_axes(axis), bool(keepdims)))

    @java_errors
    def min(self, axis=None, keepdims=False):
        return _wrap(self._j.min(_axes(axis), bool(keepdims)))

    @java_errors
    def any(self, axis=None, keepdims=False):
        return _wrap(self._j.any(_axes(axis), bool(keepdims)))

    @java_errors
    def all(self, axis=None, keepdims=False):
        return _wrap(self._j.all(_axes(axis), bool(keepdims)))

    @java_errors
    def argmax(self, axis=None, keepdims=False):
        return _wrap(self._j.argmax(None if axis is None else jpype.JObject(_int_axis(axis), jpype.JClass("java.lang.Integer")), bool(keepdims)))

    @java_errors
    def argmin(self, axis=None, keepdims=False):
        return _wrap(self._j.argmin(None if axis is None else jpype.JObject(_int_axis(axis), jpype.JClass("java.lang.Integer")), bool(keepdims)))

    @java_errors
    def var(self, axis=None, ddof=0, keepdims=False):
        return _wrap(self._j.var(_axes(axis), int(ddof), bool(keepdims)))

    @java_errors
    def std(self, axis=None, ddof=0, keepdims=False):
        return _wrap(self._j.std(_axes(axis), int(ddof), bool(keepdims)))

    # -- elementwise
    def _unary(self, name):
        op = _UNARY.get(name)
        f = _frame.q
        if op is None or f is None:
            f = f or _bind_frame()
            op = _UNARY[name] = int(getattr(J.UnaryOp, name).ordinal())
        try:
            f[_A] = self._h or _handle(self)
        except jpype.JException as e:
            raise translate(e) from None
        f[_OP] = op
        f[_DONE] = done = _take_released()
        return _wrap_handle(_frame_call(_Fast.unary, f, done), self._n)

    def __neg__(self):
        return self._unary("NEG")

    def __pos__(self):
        return self.copy()

    def __abs__(self):
        return self._unary("ABS")

    def __invert__(self):
        return self._unary("INVERT")

    def clip(self, min=None, max=None):
        return clip(self, min, max)

    def __matmul__(self, other):
        if type(other) is NDArray:  # handles for both, so that the next `@` goes through pyj4._accel
            try:
                _handle(self), _handle(other)
            except jpype.JException as e:
                raise translate(e) from None
        try:
            o = _to_array(other)
        except TypeError:
            return NotImplemented
        return matmul(self, o)

    def __rmatmul__(self, other):
        try:
            o = _to_array(other)
        except TypeError:
            return NotImplemented
        return matmul(o, self)

    def dot(self, other):
        return dot(self, other)

    __add__, __radd__ = _binary("ADD")
    __sub__, __rsub__ = _binary("SUB")
    __mul__, __rmul__ = _binary("MUL")
    __truediv__, __rtruediv__ = _binary("DIV")
    __floordiv__, __rfloordiv__ = _binary("FLOORDIV")
    __mod__, __rmod__ = _binary("MOD")
    __pow__, __rpow__ = _binary("POW")
    __and__, __rand__ = _binary("AND")
    __or__, __ror__ = _binary("OR")
    __xor__, __rxor__ = _binary("XOR")
    __eq__ = _binary("EQ")[0]
    __ne__ = _binary("NE")[0]
    __lt__, __gt__ = _binary("LT")[0], _binary("GT")[0]
    __le__, __ge__ = _binary("LE")[0], _binary("GE")[0]
    __iadd__ = _inplace("ADD")
    __isub__ = _inplace("SUB")
    __imul__ = _inplace("MUL")
    __itruediv__ = _inplace("DIV")
    __ifloordiv__ = _inplace("FLOORDIV")
    __imod__ = _inplace("MOD")
    __ipow__ = _inplace("POW")
    __hash__ = None


# ------------------------------------------------------------------ creation


@java_errors
def asarray(obj, dtype=None) -> NDArray:
    """Shares memory with a NumPy array on the host when it can (any strides, native byte order,
    supported dtype); otherwise converts, as ``array`` does."""
    if isinstance(obj, NDArray):
        return obj if dtype is None or dtype_name(dtype) == dtype_name(obj.dtype) else obj.astype(dtype)
    if isinstance(obj, np.ndarray) and (dtype is None or dtype_name(dtype) == obj.dtype.name):
        name = dtype_name(obj.dtype)
        if obj.dtype.isnative and all(s % obj.itemsize == 0 for s in obj.strides):
            return _share(obj, name)
    return array(obj, dtype)


_SHARE_CACHE = {}  # JPype lookups by name cost microseconds to tens of them: once only


def _runnable_class():
    c = _SHARE_CACHE.get("Runnable")
    if c is None:
        c = _SHARE_CACHE["Runnable"] = jpype.JClass("java.lang.Runnable")
    return c


def _long_array():
    c = _SHARE_CACHE.get("long[]")
    if c is None:
        c = _SHARE_CACHE["long[]"] = jpype.JArray(jpype.JLong)
    return c


def _dtype_constant(name):
    c = _SHARE_CACHE.get(name)
    if c is None:
        c = _SHARE_CACHE[name] = J.DType.of(name)
    return c


def _share(a: np.ndarray, name: str) -> NDArray:
    item = a.itemsize
    # The lowest and highest byte the view reaches, relative to a.ctypes.data.
    lo = sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s < 0 and n > 0)
    hi = sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s > 0 and n > 0) + item
    if a.size == 0:
        lo, hi = 0, item
    base = a.ctypes.data + lo
    strides = _long_array()([s // item for s in a.strides])
    # The JVM empties `keep` when the last array using the memory lets go, so the NumPy array is
    # dropped then (not whenever the Java GC collects the proxy).
    keep = [a]
    release = jpype.JProxy(_runnable_class(), dict={"run": keep.clear})
    j = J.NDArray.wrapHost(
        base, hi - lo, _dtype_constant(name), _shape_arg((a.shape,)), strides, -lo // item, bool(a.flags.writeable), None, release
    )
    out = _wrap(j)
    out._n = a.size  # a bound the operator fast path carries on (never _small: its memory is NumPy's)
    return out


@java_errors
def array(obj, dtype=None) -> NDArray:
    """A new array (a copy) from a NumPy array, nested sequence, scalar, NDArray or pyarrow array."""
    if isinstance(obj, NDArray):
        return obj.astype(dtype) if dtype is not None else obj.copy()
    if type(obj).__module__.startswith("pyarrow"):
        obj = obj.to_numpy(zero_copy_only=False)
    want = dtype_name(dtype)
    np_dtype = None if want in (None, "bfloat16") else want
    try:
        a = np.asarray(obj, dtype=np_dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(f"array: cannot convert {type(obj).__name__} to an array: {e}") from None
    if a.dtype.kind == "O":
        raise TypeError(f"array: expected numbers or a rectangular nested sequence. Received: object array from {type(obj).__name__}")
    if want is None and a.dtype.name not in _SUPPORTED:
        if a.dtype.kind == "U" or a.dtype.kind == "S":
            raise TypeError(f"unsupported dtype: expected numeric or bool data. Received: dtype={a.dtype}")
        raise TypeError(f"unsupported dtype: expected one of {', '.join(_SUPPORTED)}. Received: dtype={a.dtype}")
    if not a.flags.c_contiguous:
        a = a.copy(order="C")  # (np.ascontiguousarray would turn a 0-d array into 1-d)
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    shared = _share(a, a.dtype.name)
    out = _wrap(shared._j.astype(J.DType.of(want)) if want == "bfloat16" else shared._j.copy())
    return out


@java_errors
def zeros(shape, dtype="float32") -> NDArray:
    return _wrap(J.NDArray.zeros(_jdtype(dtype), _shape_arg((shape,) if not isinstance(shape, numbers.Integral) else ((shape,),))))


@java_errors
def ones(shape, dtype="float32") -> NDArray:
    return _wrap(J.NDArray.ones(_jdtype(dtype), _shape_arg((shape,) if not isinstance(shape, numbers.Integral) else ((shape,),))))


@java_errors
def full(shape, value, dtype=None) -> NDArray:
    if dtype is None:
        dtype = "bool" if isinstance(value, bool) else "int64" if isinstance(value, numbers.Integral) else "float64"
    shp = _shape_arg((shape,) if not isinstance(shape, numbers.Integral) else ((shape,),))
    jd = _jdtype(dtype)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return _wrap(J.NDArray.full(jpype.JLong(int(value)), jd, shp))
    return _wrap(J.NDArray.full(jpype.JDouble(float(value)), jd, shp))


@java_errors
def arange(start, stop=None, step=1, dtype=None) -> NDArray:
    if stop is None:
        start, stop = 0, start
    ints = all(isinstance(v, numbers.Integral) for v in (start, stop, step))
    name = dtype_name(dtype) or ("int64" if ints else "float64")
    if ints:
        return _wrap(J.NDArray.arange(jpype.JLong(int(start)), jpype.JLong(int(stop)), jpype.JLong(int(step)), J.DType.of(name)))
    return _wrap(J.NDArray.arange(jpype.JDouble(float(start)), jpype.JDouble(float(stop)), jpype.JDouble(float(step)), J.DType.of(name)))


@java_errors
def eye(n, m=None, k=0, dtype="float32") -> NDArray:
    return _wrap(J.NDArray.eye(int(n), int(n if m is None else m), int(k), _jdtype(dtype)))


# ------------------------------------------------------------------ functions


def _unary_fn(name):
    def fn(x):
        return _to_array(x)._unary(name)

    fn.__name__ = name.lower()
    return fn


exp = _unary_fn("EXP")
log = _unary_fn("LOG")
sqrt = _unary_fn("SQRT")
abs = _unary_fn("ABS")  # noqa: A001 - NumPy's name
tanh = _unary_fn("TANH")
sigmoid = _unary_fn("SIGMOID")
relu = _unary_fn("RELU")
sin = _unary_fn("SIN")
cos = _unary_fn("COS")
floor = _unary_fn("FLOOR")
ceil = _unary_fn("CEIL")
sign = _unary_fn("SIGN")
square = _unary_fn("SQUARE")
negative = _unary_fn("NEG")
isnan = _unary_fn("ISNAN")
isinf = _unary_fn("ISINF")
isfinite = _unary_fn("ISFINITE")


@java_errors
def maximum(a, b) -> NDArray:
    a, b = _to_array(a), _to_array(b)  # hold the wrappers: a dropped one closes its Java array
    return _wrap(a._j.binary(J.BinaryOp.MAXIMUM, b._j))


@java_errors
def minimum(a, b) -> NDArray:
    a, b = _to_array(a), _to_array(b)
    return _wrap(a._j.binary(J.BinaryOp.MINIMUM, b._j))


@java_errors
def where(cond, x, y) -> NDArray:
    cond, x, y = _to_array(cond), _to_array(x), _to_array(y)
    return _wrap(J.NDArray.where(cond._j, x._j, y._j))


@java_errors
def clip(x, min=None, max=None) -> NDArray:  # noqa: A002 - NumPy's names
    x = _to_array(x)
    lo = None if min is None else _to_array(min)
    hi = None if max is None else _to_array(max)
    return _wrap(x._j.clip(None if lo is None else lo._j, None if hi is None else hi._j))


@java_errors
def matmul(a, b) -> NDArray:
    a, b = _to_array(a), _to_array(b)
    return _wrap(a._j.matmul(b._j))


@java_errors
def dot(a, b) -> NDArray:
    a, b = _to_array(a), _to_array(b)
    return _wrap(a._j.dot(b._j))


@java_errors
def concatenate(arrays, axis=0) -> NDArray:
    parts = [_to_array(a) for a in arrays]
    if axis is None:
        parts = [p.ravel() for p in parts]
        axis = 0
    return _wrap(J.NDArray.concatenate(jpype.JArray(J.NDArray)([p._j for p in parts]), _int_axis(axis)))


@java_errors
def stack(arrays, axis=0) -> NDArray:
    parts = [_to_array(a) for a in arrays]
    return _wrap(J.NDArray.stack(jpype.JArray(J.NDArray)([p._j for p in parts]), _int_axis(axis)))


@java_errors
def softmax(x, axis=-1) -> NDArray:
    x = _to_array(x)
    return _wrap(x._j.softmax(_int_axis(axis)))


@java_errors
def log_softmax(x, axis=-1) -> NDArray:
    x = _to_array(x)
    return _wrap(x._j.logSoftmax(_int_axis(axis)))
