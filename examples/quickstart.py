"""pyj4 quickstart: arrays computed on the JVM, then a Keras-shaped MLP trained inside the JVM.

Run it with `make demo`, or `.venv/bin/python examples/quickstart.py [--model PATH] [--epochs N]`.
It trains on the 8x8 handwritten digits that ship with scikit-learn (no download), checks the test
accuracy, saves the model to one file, loads it back and checks the predictions are identical.
"""
import argparse
import os
import tempfile
import time

import numpy as np

import pyj4 as pj
from pyj4 import nn

t_start = time.perf_counter()
parser = argparse.ArgumentParser(description="pyj4 quickstart")
parser.add_argument("--model", default=os.path.join(tempfile.gettempdir(), "pyj4-quickstart", "model.pyj4"),
                    help="where to save the trained model (default: %(default)s)")
parser.add_argument("--epochs", type=int, default=40)
args = parser.parse_args()

print(f"pyj4 {pj.version()}  backend: {pj.backend()}  (available: {', '.join(pj.backends())})")

# ---- Arrays: NumPy data shared with the JVM (no copy); the math runs in the backend.
x = np.arange(6, dtype=np.float32).reshape(2, 3)
a = pj.asarray(x)                                  # shares memory with x
b = pj.array([[1.0, 0.0, -1.0]], dtype="float32")  # copied onto the JVM
c = pj.softmax(a @ b.T + 1.0, axis=0)              # matmul, broadcasting, softmax: all on the JVM
print("softmax(a @ b.T + 1, axis=0) =", c.numpy().ravel())
np.testing.assert_allclose(c.numpy().sum(), 1.0, rtol=1e-6)

# ---- Data: 1,797 8x8 digit images, scaled to [0, 1]; 25% held out for the test.
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

digits = load_digits()
features = (digits.data / 16.0).astype(np.float32)
labels = digits.target.astype(np.int64)
x_train, x_test, y_train, y_test = train_test_split(features, labels, test_size=0.25, stratify=labels, random_state=0)
print(f"\ndigits: train {x_train.shape}, test {x_test.shape}, 10 classes")

# ---- Model: defined in Python, built and trained in the JVM.
pj.random.seed(0)  # the weights are drawn in the JVM from pyj4's generator
model = nn.Sequential([
    nn.Input((64,)),
    nn.Dense(256, activation="relu"),
    nn.Dropout(0.2),
    nn.Dense(128, activation="relu"),
    nn.Dense(10, activation="softmax"),
])
model.compile(optimizer=nn.optimizers.Adam(learning_rate=1e-3),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

history = model.fit(x_train, y_train, batch_size=32, epochs=args.epochs, validation_split=0.1,
                    seed=0, verbose=1,
                    callbacks=[nn.callbacks.EarlyStopping(monitor="val_loss", patience=8, restore_best_weights=True)])
print(f"trained {len(history.epoch)} epochs; last loss {history.history['loss'][-1]:.4f}")

result = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
print(f"\ntest accuracy: {result['accuracy']:.4f}  (test loss {result['loss']:.4f})")
assert result["accuracy"] >= 0.95, f"expected >= 95% test accuracy, got {result['accuracy']:.4f}"

# ---- One file for Python, Java and Scala: save, load, and check the predictions match exactly.
os.makedirs(os.path.dirname(os.path.abspath(args.model)), exist_ok=True)
model.save(args.model)
print(f"saved model to {args.model} ({os.path.getsize(args.model):,} bytes)")
reloaded = nn.load_model(args.model)
before = model.predict(x_test, batch_size=256)
after = reloaded.predict(x_test, batch_size=256)
assert np.array_equal(before, after), "predictions of the reloaded model differ"
print(f"reloaded: {len(after)} predictions identical; first 10 predicted digits {after[:10].argmax(axis=1)}, "
      f"true {y_test[:10]}")
print(f"\nmemory: {pj.memory()}; wall time {time.perf_counter() - t_start:.1f} s")
