"""The operator fast path (pyj4/_ndarray.py): `a + b` and unary functions on NDArrays make one Java
call with int handles; a small result's closing waits for the next operator call. These tests pin
what users can see of that: results, errors, and memory that still returns to its baseline."""
import gc

import numpy as np
import pytest

import pyj4 as pj
from pyj4 import _java

pytestmark = pytest.mark.no_leaks


def test_chained_small_ops_match_numpy():
    x = np.arange(1, 5, dtype=np.float32)
    a = pj.asarray(x)
    r = pj.tanh((a + a) * a - a / a)
    np.testing.assert_allclose(r.numpy(), np.tanh((x + x) * x - x / x), rtol=1e-6)
    assert r.shape == (4,) and r.dtype == np.float32


def test_broadcasting_and_promotion_through_the_fast_path():
    a = pj.asarray(np.ones((3, 1), np.float32))
    b = pj.asarray(np.arange(4, dtype=np.float64))
    r = a + b
    assert r.shape == (3, 4) and r.dtype == np.float64
    np.testing.assert_array_equal(r.numpy(), np.ones((3, 1), np.float32) + np.arange(4, dtype=np.float64))


def test_errors_are_numpy_exceptions_and_keep_the_pending_release():
    a = pj.asarray(np.ones(3, np.float32))
    b = pj.asarray(np.ones(4, np.float32))
    (a + a).numpy()  # leaves a small result waiting to be closed
    with pytest.raises(ValueError):
        a + b
    with pytest.raises(TypeError):
        pj.asarray(np.ones(3, np.float32)) & pj.asarray(np.ones(3, np.float32))


def test_small_results_are_released_before_memory_is_read():
    a = pj.asarray(np.ones(8, np.float32))
    base = pj.memory()["allocated_bytes"]
    r = a + a
    s = pj.exp(r)
    del r, s
    gc.collect()
    assert len(_java.released) <= 1
    assert pj.memory()["allocated_bytes"] == base  # pj.memory() closes what waits first
    assert not _java.released


def test_large_results_are_released_at_once():
    a = pj.asarray(np.ones(1 << 16, np.float32))
    r = a + a
    after = pj.memory()["allocated_bytes"]
    del r
    assert not _java.released
    assert pj.memory()["allocated_bytes"] == after - (1 << 18)


def test_results_hold_their_memory_while_numpy_views_live():
    a = pj.asarray(np.arange(4, dtype=np.float32))
    view = (a + a).numpy()
    a * a  # the next op closes the result above; its buffer lives on in the view
    pj.exp(a)
    np.testing.assert_array_equal(view, [0, 2, 4, 6])


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "float32", "float64"])
def test_python_scalars_through_the_fast_path_follow_nep50(dtype):
    x = np.arange(1, 5).astype(dtype)
    a = pj.asarray(x)
    for got, want in [
        (a + 1, x + 1), (2 * a, 2 * x), (a - 1.5, x - 1.5), (3.0 / a, 3.0 / x), (a // 2, x // 2),
        (7 % a, 7 % x), (a ** 2, x ** 2), (a < 3, x < 3), (3 >= a, 3 >= x), (True + a, True + x),
    ]:
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)


def test_python_scalar_errors_match_numpy():
    a = pj.asarray(np.arange(4, dtype=np.int8))
    with pytest.raises(OverflowError):
        a + 300
    with pytest.raises(OverflowError):
        a + 2**70
    with pytest.raises(TypeError):
        pj.asarray(np.ones(2, np.float32)) & 1.0


def test_threads_each_use_their_own_argument_frame():
    import threading

    x = np.arange(1, 9, dtype=np.float32)
    a = pj.asarray(x)
    errors = []

    def work(k):
        try:
            b = pj.asarray(np.full(8, k, np.float32))
            for _ in range(300):
                np.testing.assert_allclose(((a + b) * b - a).numpy(), (x + k) * k - x, rtol=1e-6)
                np.testing.assert_allclose(pj.exp(a - a).numpy(), np.ones(8, np.float32))
                np.testing.assert_allclose((a * 2.0 + k).numpy(), x * 2.0 + k, rtol=1e-6)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_a_thread_attached_to_the_jvm_anew_gets_a_new_frame():
    import threading

    import jpype

    a = pj.asarray(np.arange(4, dtype=np.float32))
    got = []

    def work():
        got.append((a + a).numpy().copy())
        jpype.JClass("java.lang.Thread").detach()  # its next call attaches it anew, without the frame it had
        got.append((a + a).numpy().copy())
        got.append(pj.exp(a).numpy().copy())

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert len(got) == 3
    np.testing.assert_array_equal(got[0], [0, 2, 4, 6])
    np.testing.assert_array_equal(got[1], [0, 2, 4, 6])
    np.testing.assert_allclose(got[2], np.exp(np.arange(4, dtype=np.float32)), rtol=1e-6)


# ---- pyj4._accel: the same operators in C (pyj4/_accel.c). `make test` also runs this file with
# PYJ4_ACCEL=0, so that the Python path, which stays the definition and the fallback, is tested too.


def test_operators_run_through_the_c_extension_unless_disabled():
    import importlib.util
    import os

    from pyj4 import _ndarray

    a = pj.asarray(np.ones(2, np.float32))
    a + a  # binds the fast path
    if os.environ.get("PYJ4_ACCEL") == "0":
        assert not _ndarray.accelerated()
    else:
        # `make` builds the extension (pip install -e .); a build that lost it would be slower, not wrong
        assert importlib.util.find_spec("pyj4._accel") is not None
        assert _ndarray.accelerated()
        from pyj4 import _accel

        for name in ("__add__", "__rsub__", "__matmul__", "__del__"):
            assert isinstance(pj.NDArray.__dict__[name], _accel.FastMethod), name


def test_every_accelerated_operator_matches_numpy():
    x = np.array([[1, -2, 3, 7]], np.int32)
    y = np.array([[2], [5]], np.int32)  # broadcasting too
    a, b = pj.asarray(x), pj.asarray(y)
    for got, want in [
        (a + b, x + y), (a - b, x - y), (a * b, x * y), (a / b, x / y), (a // b, x // y), (a % b, x % y),
        (a ** b, x ** y), (a & b, x & y), (a | b, x | y), (a ^ b, x ^ y), (a == b, x == y), (a != b, x != y),
        (a < b, x < y), (a > b, x > y), (a <= b, x <= y), (a >= b, x >= y),
    ]:
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got.numpy(), want)


def test_matmul_through_the_fast_path_matches_numpy_and_fails_as_numpy_does():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 4, 5)).astype(np.float32), rng.standard_normal((3, 5, 2)).astype(np.float32)
    v = rng.standard_normal(5)  # float64, 1-D: promotion and a squeezed axis (Java's general path)
    a, b, c = pj.asarray(x), pj.asarray(y), pj.asarray(v)
    for _ in range(3):  # the first call registers handles; the next ones go through pyj4._accel when built
        got = a @ b
        np.testing.assert_allclose(got.numpy(), x @ y, rtol=1e-5, atol=1e-5)
        assert got.shape == (3, 4, 2) and got.dtype == np.float32
        got = a @ c
        np.testing.assert_allclose(got.numpy(), x @ v, rtol=1e-5, atol=1e-5)
        assert got.shape == (3, 4) and got.dtype == np.float64
    i = pj.asarray(np.arange(6, dtype=np.int64).reshape(2, 3))
    np.testing.assert_array_equal((i @ i.T).numpy(), np.arange(6).reshape(2, 3) @ np.arange(6).reshape(2, 3).T)
    np.testing.assert_allclose((a @ y).numpy(), x @ y, rtol=1e-5, atol=1e-5)  # a NumPy operand
    gc.collect()
    base = pj.memory()["allocated_bytes"]
    for _ in range(3):
        with pytest.raises(ValueError, match=r"matmul: .*float32\[3, 4, 5\] @ float32\[3, 4, 5\]"):
            a @ a
        with pytest.raises(ValueError, match="does not have enough dimensions"):
            a @ 2.0
    gc.collect()
    assert pj.memory()["allocated_bytes"] == base


def test_operators_with_other_operands_take_the_python_path():
    x = np.arange(1, 5, dtype=np.float32)
    a = pj.asarray(x)
    np.testing.assert_array_equal((a + x).numpy(), x + x)  # a NumPy operand
    np.testing.assert_array_equal((a + [1, 1, 1, 1]).numpy(), x + 1)  # a list
    np.testing.assert_array_equal((a.__add__(a)).numpy(), x + x)  # the bound method
    with pytest.raises(TypeError):
        a + object()


def test_a_failed_operator_raises_once_and_leaks_nothing():
    a = pj.asarray(np.ones(3, np.float32))
    b = pj.asarray(np.ones(4, np.float32))
    gc.collect()
    base = pj.memory()["allocated_bytes"]
    for _ in range(20):
        (a + a)  # a small result waiting to be closed, which the failing call consumes
        with pytest.raises(ValueError, match=r"shapes \[3\] and \[4\]"):
            a * b
    gc.collect()
    assert pj.memory()["allocated_bytes"] == base


def test_arrays_outliving_the_jvm_do_not_crash_the_process(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "outlive.py"
    script.write_text(
        "import numpy as np, jpype, pyj4 as pj\n"
        "a = pj.asarray(np.ones(4, np.float32))\n"
        "small, large = a + a, pj.asarray(np.ones(1 << 16, np.float32)) * 2\n"
        "jpype.shutdownJVM()\n"
        "try:\n"
        "    a + a\n"
        "except Exception as e:\n"
        "    print('raised', type(e).__name__)\n"
        "del small, large, a\n"
        "print('done')\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "raised" in out.stdout and out.stdout.strip().endswith("done")


def test_binding_the_fast_path_again_wraps_the_python_operators_once():
    from pyj4 import _ndarray

    a = pj.asarray(np.arange(3, dtype=np.float32))
    a + a
    _ndarray._Fast.bind()  # as a second thread binding at the same time would
    _ndarray._Fast.bind()
    np.testing.assert_array_equal((a + a).numpy(), [0, 2, 4])
    with pytest.raises(TypeError):  # the fallback is the Python operator, not another C one (no recursion)
        a + object()
