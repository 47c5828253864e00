"""pyj4 quickstart: arrays made in Python, computed on the JVM, read back as NumPy.

Run it with `make demo`, or `.venv/bin/python examples/quickstart.py` once set up.
Each result is checked against NumPy, so the script fails loudly if anything is off.
"""
import numpy as np

import pyj4 as pj

np.set_printoptions(precision=4, suppress=True)


def show(title, value):
    print(f"\n{title}\n{value}")


print(f"pyj4 {pj.version()}  backend: {pj.backend()}  (available: {', '.join(pj.backends())})")

# Arrays: from nested lists (copied onto the JVM) and from NumPy (shared, no copy).
a = pj.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float32")
x = np.arange(6, dtype=np.float32).reshape(2, 3)
b = pj.asarray(x)
print(f"a: shape={a.shape} dtype={a.dtype} device={a.device};  b: shape={b.shape} dtype={b.dtype}")

# Matrix product, broadcasting and a reduction, all on the JVM; .numpy() reads the result back.
c = (a @ b.T + 1).sum(axis=1)
expected = (a.numpy() @ x.T + 1).sum(axis=1)
np.testing.assert_allclose(c.numpy(), expected, rtol=1e-6)
show("(a @ b.T + 1).sum(axis=1)", c.numpy())

# Softmax over the last axis: each row sums to 1.
p = pj.softmax(a, axis=-1)
e = np.exp(a.numpy() - a.numpy().max(axis=-1, keepdims=True))
np.testing.assert_allclose(p.numpy(), e / e.sum(axis=-1, keepdims=True), rtol=1e-5)
show("softmax(a, axis=-1)", p.numpy())

# Indexing follows NumPy: slices with steps are views, boolean masks select, assignment is in place.
show("a[:, ::-1]", a[:, ::-1].numpy())
show("a[a > 2]", a[a > 2].numpy())
a[0, 1:] = 0.0
np.testing.assert_array_equal(a.numpy(), [[1, 0, 0], [4, 5, 6]])
show("after a[0, 1:] = 0", a.numpy())

# asarray shares memory with the NumPy array it came from.
x[1, 2] = 100.0
assert float(np.asarray(b[1, 2])) == 100.0
print("\nb sees the change made through x: b[1, 2] =", float(np.asarray(b[1, 2])))

# Off-heap memory held by arrays, as the JVM accounts it.
print("\nmemory:", pj.memory())
