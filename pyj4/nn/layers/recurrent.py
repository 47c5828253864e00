"""Recurrent layers: LSTM and GRU (Keras arguments, defaults, gate order and weight layout)."""
from __future__ import annotations

from .. import _checks, activations, initializers
from .base import Layer, _fmt, _symbolic, _training_arg


class _RNN(Layer):
    """What LSTM and GRU share: ``units``, the sequence in ``[batch, steps, features]``, and what
    they return (the last output, or every step's with ``return_sequences``; the final states too
    with ``return_state``)."""

    states = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        who = type(self).__name__
        self.units = _checks.integer(who, "units", units, min_value=1)
        self.activation = activations.get(activation, who)
        self.recurrent_activation = activations.get(recurrent_activation, who)
        if (self.activation, self.recurrent_activation) != ("tanh", "sigmoid"):
            raise ValueError(f"{who}: the fused cell computes activation='tanh' and recurrent_activation='sigmoid' (Keras' "
                             f"defaults). Received: activation={activation!r}, recurrent_activation={recurrent_activation!r}")
        self.use_bias = _checks.boolean(who, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer, who, "kernel_initializer")
        self.recurrent_initializer = initializers.get(recurrent_initializer, who, "recurrent_initializer")
        self.bias_initializer = initializers.get(bias_initializer, who, "bias_initializer")
        self.dropout = _checks.real(who, "dropout", dropout, low=0.0, high=1.0, high_open=True)
        self.recurrent_dropout = _checks.real(who, "recurrent_dropout", recurrent_dropout, low=0.0, high=1.0, high_open=True)
        if self.dropout or self.recurrent_dropout:
            raise ValueError(f"{who}: dropout inside the recurrent cell is not supported; put a Dropout layer before "
                             f"or after it. Received: dropout={dropout!r}, recurrent_dropout={recurrent_dropout!r}")
        self.seed = _checks.optional_seed(who, seed)
        self.return_sequences = _checks.boolean(who, "return_sequences", return_sequences)
        self.return_state = _checks.boolean(who, "return_state", return_state)
        self.go_backwards = _checks.boolean(who, "go_backwards", go_backwards)
        if _checks.boolean(who, "stateful", stateful):
            raise ValueError(f"{who}: stateful=True is not supported. Received: stateful=True")
        self.stateful = False
        self.unroll = _checks.boolean(who, "unroll", unroll)  # a speed hint in Keras; the engine's loop is the same
        super().__init__(**kwargs)

    def get_config(self):
        return {
            "name": self.name, "units": self.units, "activation": self.activation,
            "recurrent_activation": self.recurrent_activation, "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer.to_dict(),
            "recurrent_initializer": self.recurrent_initializer.to_dict(),
            "bias_initializer": self.bias_initializer.to_dict(),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
            "return_sequences": self.return_sequences, "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
        }

    def _call_spec(self, sequences, initial_state=None, mask=None, training=None):
        x = _symbolic(sequences)
        if x is None:
            raise TypeError(f"{self._who}: expected a symbolic tensor of shape (batch, steps, features). "
                            f"Received: {type(sequences).__name__}")
        if initial_state is not None:
            raise ValueError(f"{self._who}: initial_state is not supported (states start at zero). Received: initial_state")
        if mask is not None:
            raise ValueError(f"{self._who}: masks are not supported. Received: mask={mask!r}")
        _training_arg(self._who, training)
        shapes = self._output_shapes(x.shape)
        return shapes if self.return_state else shapes[0]

    def compute_output_shape(self, input_shape):
        """The output's shape; with ``return_state`` a list: output, then each final state."""
        shapes = self._output_shapes(input_shape)
        return shapes if self.return_state else shapes[0]

    def _output_shapes(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{self._who}: expected inputs of rank 3 (batch, steps, features). "
                             f"Received: input_shape={_fmt(input_shape)}")
        if input_shape[-1] is None:
            raise ValueError(f"{self._who}: the feature axis must have a known size. Received: input_shape={_fmt(input_shape)}")
        batch = input_shape[0]
        out = (batch, input_shape[1], self.units) if self.return_sequences else (batch, self.units)
        return [out] + [(batch, self.units)] * self.states


class LSTM(_RNN):
    """Long short-term memory (Hochreiter 1997), Keras' gate order i, f, c, o: kernel
    ``[features, 4 * units]``, recurrent_kernel ``[units, 4 * units]``, bias ``[4 * units]``
    (``unit_forget_bias``: the forget gate's starts at 1). ``return_state=True`` returns
    ``[output, h, c]``."""

    states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, **kwargs):
        self.unit_forget_bias = _checks.boolean("LSTM", "unit_forget_bias", unit_forget_bias)
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards,
                         stateful, unroll, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class GRU(_RNN):
    """Gated recurrent unit (Cho 2014), Keras' gate order z, r, h and ``reset_after=True`` (the
    cuDNN form: the reset gate applies after the recurrent product): kernel ``[features, 3 * units]``,
    recurrent_kernel ``[units, 3 * units]``, bias ``[2, 3 * units]`` (input bias, recurrent bias).
    ``return_state=True`` returns ``[output, h]``."""

    states = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True, **kwargs):
        if not _checks.boolean("GRU", "reset_after", reset_after):
            raise ValueError("GRU: only reset_after=True (Keras' default, the cuDNN form) is supported. Received: reset_after=False")
        self.reset_after = True
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards,
                         stateful, unroll, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config
