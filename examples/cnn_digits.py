"""A small CNN on scikit-learn's 8x8 handwritten digits (no download), written with the functional API:
two convolutions joined by a residual connection, batch normalization, pooling, a dense head. The
model is built, trained and evaluated inside the JVM; the script prints the test accuracy, saves the
model to one file and checks that the reloaded model predicts the same.

    .venv/bin/python examples/cnn_digits.py [--epochs N]
"""
import argparse
import os
import tempfile
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import pyj4 as pj
from pyj4 import nn

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=12)
args = parser.parse_args()
start = time.perf_counter()

# 1,797 images as [N, 8, 8, 1] (channels_last, Keras' default), scaled to [0, 1]; 25% held out.
digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)[..., None]
x_train, x_test, y_train, y_test = train_test_split(images, digits.target, test_size=0.25, stratify=digits.target,
                                                    random_state=0)

pj.random.seed(0)  # weights are drawn in the JVM from pyj4's generator
inputs = nn.Input((8, 8, 1))
x = nn.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
x = nn.Activation("relu")(nn.BatchNormalization()(x))
residual = nn.Conv2D(16, 3, padding="same", activation="relu")(x)
x = nn.Add()([x, residual])
x = nn.MaxPooling2D()(x)                                    # 4x4x16
x = nn.Dropout(0.2)(nn.Flatten()(x))
outputs = nn.Dense(10, activation="softmax")(nn.Dense(64, activation="relu")(x))
model = nn.Model(inputs, outputs, name="cnn_digits")
model.compile(optimizer=nn.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

model.fit(x_train, y_train, batch_size=32, epochs=args.epochs, validation_split=0.1, seed=0, verbose=2)
result = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {result['accuracy']:.4f}  (loss {result['loss']:.4f})")

path = os.path.join(tempfile.mkdtemp(prefix="pyj4-cnn-"), "cnn_digits.pyj4")
model.save(path)
again = nn.load_model(path)
np.testing.assert_array_equal(again.predict(x_test), model.predict(x_test))
print(f"saved to {path} and reloaded: identical predictions; {time.perf_counter() - start:.1f} s in all")
