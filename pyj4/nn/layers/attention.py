"""MultiHeadAttention (Keras' arguments, config and call signature)."""
from __future__ import annotations

from .. import _checks, initializers
from .._checks import _is_int
from .base import Layer, _fmt, _symbolic, _training_arg


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention ("Attention is all you need").

    Called in a functional graph as ``mha(query, value, key=None, attention_mask=None,
    use_causal_mask=False)``: query ``(B, T, dim)``, value ``(B, S, dim_v)``, key ``(B, S, dim_k)``
    (default: value); ``attention_mask`` ``(B, T, S)`` (1 = may attend) broadcasts over heads;
    ``use_causal_mask=True`` lets position t attend to positions <= t only. Output ``(B, T, dim)``
    (or ``output_shape``). Weights in Keras order and layout: query/kernel ``[dim, heads, key_dim]``,
    query/bias ``[heads, key_dim]``, then key, value, and attention_output/kernel
    ``[heads, value_dim, dim]``, attention_output/bias ``[dim]``."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros", seed=None,
                 **kwargs):
        who = "MultiHeadAttention"
        self.num_heads = _checks.integer(who, "num_heads", num_heads, min_value=1)
        self.key_dim = _checks.integer(who, "key_dim", key_dim, min_value=1)
        self.value_dim = self.key_dim if value_dim is None else _checks.integer(who, "value_dim", value_dim, min_value=1)
        self.dropout = _checks.real(who, "dropout", dropout, low=0.0, high=1.0, high_open=True)
        self.use_bias = _checks.boolean(who, "use_bias", use_bias)
        if output_shape is not None:
            if _is_int(output_shape):
                output_shape = (output_shape,)
            if (not isinstance(output_shape, (tuple, list)) or len(output_shape) != 1 or not _is_int(output_shape[0])
                    or output_shape[0] < 1):
                raise ValueError(f"{who}: expected output_shape to be a positive integer (the output's last dimension) "
                                 f"or None. Received: output_shape={output_shape!r}")
            output_shape = (int(output_shape[0]),)
        self.output_shape = output_shape
        if attention_axes is not None:
            axes = (attention_axes,) if _is_int(attention_axes) else attention_axes
            if not isinstance(axes, (tuple, list)) or list(axes) != [1]:
                raise ValueError(f"{who}: attention over axes other than the sequence axis is not supported; "
                                 f"expected attention_axes None. Received: attention_axes={attention_axes!r}")
            attention_axes = tuple(int(a) for a in axes)
        self.attention_axes = attention_axes
        self.kernel_initializer = initializers.get(kernel_initializer, who, "kernel_initializer")
        self.bias_initializer = initializers.get(bias_initializer, who, "bias_initializer")
        self.seed = _checks.optional_seed(who, seed)
        super().__init__(**kwargs)

    def get_config(self):
        return {
            "name": self.name, "num_heads": self.num_heads, "key_dim": self.key_dim, "value_dim": self.value_dim,
            "dropout": self.dropout, "use_bias": self.use_bias,
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "attention_axes": None if self.attention_axes is None else list(self.attention_axes),
            "kernel_initializer": self.kernel_initializer.to_dict(),
            "bias_initializer": self.bias_initializer.to_dict(),
            "seed": self.seed,
        }

    def _call_spec(self, query, value, key=None, attention_mask=None, use_causal_mask=False,
                   return_attention_scores=False, training=None, query_mask=None, value_mask=None, key_mask=None):
        who = self._who
        q = self._tensor(query, "query")
        v = self._tensor(value, "value")
        k = None if key is None else self._tensor(key, "key")
        m = None if attention_mask is None else self._tensor(attention_mask, "attention_mask")
        _checks.boolean(who, "use_causal_mask", use_causal_mask)
        _training_arg(who, training)
        if return_attention_scores is not False:
            raise ValueError(f"{who}: return_attention_scores=True is not supported. Received: "
                             f"return_attention_scores={return_attention_scores!r}")
        for name, mask in (("query_mask", query_mask), ("value_mask", value_mask), ("key_mask", key_mask)):
            if mask is not None:
                raise ValueError(f"{who}: {name} is not supported (use attention_mask). Received: {name}={mask!r}")
        return self.compute_output_shape(q.shape, v.shape, None if k is None else k.shape, None if m is None else m.shape)

    def _tensor(self, value, name):
        t = _symbolic(value)
        if t is None:
            raise TypeError(f"{self._who}: expected {name} to be a symbolic tensor. Received: {name} of type {type(value).__name__}")
        return t

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None, mask_shape=None):
        who = self._who
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        for name, s in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(s) != 3:
                raise ValueError(f"{who}: expected {name} of rank 3 (batch, sequence, features). Received: "
                                 f"{name} shape {_fmt(s)}")
            if s[-1] is None:
                raise ValueError(f"{who}: the last axis of {name} must have a known size. Received: {name} shape {_fmt(s)}")
        if not _compatible(value_shape[1], key_shape[1]):
            raise ValueError(f"{who}: value and key must have the same sequence length. Received: value shape "
                             f"{_fmt(value_shape)}, key shape {_fmt(key_shape)}")
        if mask_shape is not None:
            want = (query_shape[0], query_shape[1], key_shape[1])
            ok = len(mask_shape) == 3 and all(_compatible(m, w) for m, w in zip(mask_shape[1:], want[1:]))
            if not ok:
                raise ValueError(f"{who}: expected attention_mask of shape (batch, query length, key length) = {_fmt(want)}. "
                                 f"Received: attention_mask shape {_fmt(mask_shape)}")
        out = self.output_shape[0] if self.output_shape else query_shape[-1]
        return (query_shape[0], query_shape[1], out)


def _compatible(a, b) -> bool:
    return a is None or b is None or a == b
