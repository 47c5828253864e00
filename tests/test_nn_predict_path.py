"""model.predict's short path for NumPy float32 rows (one crossing that writes into the returned
array) agrees with the general path, and steps aside whenever it does not apply."""
from __future__ import annotations

import numpy as np

import pyj4 as pj
from pyj4 import nn


def mlp(seed=0, features=5, classes=3):
    pj.random.seed(seed)
    return nn.Sequential([nn.Input((features,)), nn.Dense(7, activation="relu"), nn.Dense(classes)])


def rows(n, features=5, seed=1):
    return np.random.default_rng(seed).standard_normal((n, features)).astype(np.float32)


def test_numpy_float32_rows_match_the_general_path(monkeypatch):
    from pyj4.nn import _engine

    model = mlp()
    x = rows(11)
    taken = []
    real = _engine._predict_into
    monkeypatch.setattr(_engine, "_predict_into", lambda *a: taken.append(1) or real(*a))
    fast = model.predict(x, batch_size=11)
    assert taken, "float32 NumPy rows take the one-crossing path"
    general = model.predict(pj.asarray(x), batch_size=11)  # a pj.NDArray takes the general path
    assert fast.dtype == np.float32 and fast.shape == (11, 3)
    np.testing.assert_array_equal(fast, np.asarray(general))
    # batches of one and of three: the same values (up to BLAS summation order)
    np.testing.assert_allclose(model.predict(x, batch_size=1), fast, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, batch_size=3), fast, rtol=1e-5, atol=1e-6)
    # the result is a fresh array each call, not a view of engine memory
    again = model.predict(x[:1], batch_size=1)
    again[...] = 0
    np.testing.assert_allclose(model.predict(x[:1], batch_size=1), fast[:1], rtol=1e-5, atol=1e-6)


def test_other_inputs_take_the_general_path_with_the_same_result():
    model = mlp()
    x = rows(6)
    want = model.predict(x)
    np.testing.assert_allclose(model.predict(x.astype(np.float64)), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(model.predict(np.asfortranarray(x)), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(model.predict(x.tolist()), want, rtol=1e-6, atol=1e-6)


def test_a_model_that_changes_shape_predicts_its_new_output():
    model = mlp()
    x = rows(4)
    assert model.predict(x, batch_size=2).shape == (4, 3)
    model.add(nn.Dense(2))
    assert model.predict(x, batch_size=2).shape == (4, 2)
    model.pop()
    assert model.predict(x, batch_size=2).shape == (4, 3)


def test_small_batches_staged_per_thread_match_the_general_path():
    import threading

    from pyj4.nn import _engine

    model = mlp()
    x = rows(8)
    want = model.predict(pj.asarray(x), batch_size=8)
    # a strided (not C-contiguous) small input is staged too
    strided = np.repeat(x, 2, axis=0)[::2]
    assert not strided.flags.c_contiguous
    np.testing.assert_allclose(model.predict(strided, batch_size=8), want, rtol=1e-6, atol=1e-6)
    # while this thread's staging arrays are in use (a reentrant call), the unstaged way gives the same
    _engine._staging.busy = True
    try:
        np.testing.assert_allclose(model.predict(x, batch_size=8), want, rtol=1e-6, atol=1e-6)
    finally:
        _engine._staging.busy = False
    # threads predicting at once each use their own staging arrays
    errors = []

    def work(seed):
        try:
            mine = rows(3, seed=seed)
            ref = model.predict(pj.asarray(mine), batch_size=3)
            for _ in range(200):
                np.testing.assert_allclose(model.predict(mine, batch_size=3), ref, rtol=1e-6, atol=1e-6)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_the_c_predict_path_agrees_with_the_general_path_and_declines_what_does_not_fit():
    """pyj4._accel.predict_into (C calling Predictor.predictIntoHandle through JNI): True with the
    predictions written; False (nothing written) when Java declines; None when it cannot take the
    call at all. Neither False nor None ever crashes or writes outside ``out``."""
    import pytest

    from pyj4 import _ndarray
    from pyj4.nn import _engine

    accel = _ndarray.accel_module()
    if accel is None:
        pytest.skip("pyj4._accel is not built here, or PYJ4_ACCEL=0")
    model = mlp()
    x = rows(9)
    want = np.asarray(model.predict(pj.asarray(x), batch_size=9))  # the general path
    h = _engine._model_handle(model._j)
    assert _engine._model_handle(model._j) == h, "one handle per Java model"
    out = np.empty((9, 3), np.float32)
    assert accel.predict_into(h, x, out, 9) is True
    np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-6)

    def untouched():
        return np.full((9, 3), 7.0, np.float32)

    # Java declines: the wrong feature count, the wrong output width, a handle that names nothing
    for args in ((h, rows(9, features=4), untouched()), (h, x, np.full((9, 2), 7.0, np.float32)), (h + 10**6, x, untouched())):
        assert accel.predict_into(*args, 4) is False
        np.testing.assert_array_equal(args[2], 7.0)
    # not taken: not float32, not C-contiguous, a read-only output, row counts that differ, no rows,
    # a batch size below 1, objects without a buffer
    read_only = untouched()
    read_only.flags.writeable = False
    cases = [(x.astype(np.float64), untouched(), 4), (np.asfortranarray(x), untouched(), 4), (x, read_only, 4),
             (x[:8], untouched(), 4), (x[:0], np.empty((0, 3), np.float32), 4), (x, untouched(), 0),
             ("rows", untouched(), 4), (x, None, 4), (x, untouched()[:, :1], 4)]
    for xs, o, batch in cases:
        assert accel.predict_into(h, xs, o, batch) is None, (xs if isinstance(xs, str) else getattr(xs, "shape", xs), batch)
        if isinstance(o, np.ndarray) and o.size:
            assert (o == 7.0).all()
    with pytest.raises(TypeError):
        accel.predict_into(h, x, out)
    # model.predict through it matches, for every batch size
    for batch in (1, 4, 9, 100):
        np.testing.assert_allclose(model.predict(x, batch_size=batch), want, rtol=1e-5, atol=1e-6)
