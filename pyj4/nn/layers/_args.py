"""Argument checks of the spatial and sequence layers (Keras' conventions), in the house format
"<who>: expected <what>. Received: <name>=<value>"; the generic ones live in ``pyj4.nn._checks``."""
from __future__ import annotations

from .._checks import _is_int
from .base import _fmt


def int_tuple(who: str, name: str, value, rank: int) -> tuple[int, ...]:
    """An int (repeated ``rank`` times) or ``rank`` positive ints, as a tuple (Keras' standardize_tuple)."""
    if _is_int(value):
        value = (int(value),) * rank
    if not isinstance(value, (tuple, list)) or len(value) != rank or not all(_is_int(v) for v in value):
        what = "an integer" if rank == 1 else f"an integer or a tuple of {rank} integers"
        raise TypeError(f"{who}: expected {name} to be {what}. Received: {name}={value!r}")
    if any(v < 1 for v in value):
        raise ValueError(f"{who}: expected {name} > 0. Received: {name}={tuple(value)!r}")
    return tuple(int(v) for v in value)


def padding(who: str, value, allow_causal: bool = False) -> str:
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if not isinstance(value, str) or value.lower() not in allowed:
        kind = ValueError if isinstance(value, str) else TypeError
        raise kind(f"{who}: expected padding to be one of {', '.join(map(repr, allowed))}. Received: padding={value!r}")
    return value.lower()


def data_format(who: str, value) -> str:
    """channels_last (Keras' image_data_format default) or channels_first."""
    if value is None:
        return "channels_last"
    if not isinstance(value, str) or value.lower() not in ("channels_last", "channels_first"):
        kind = ValueError if isinstance(value, str) else TypeError
        raise kind(f"{who}: expected data_format 'channels_last' or 'channels_first'. Received: data_format={value!r}")
    return value.lower()


def output_length(length, kernel: int, stride: int, dilation: int, padding_: str):
    """Keras' (TensorFlow's) conv/pool output length; None stays None."""
    if length is None:
        return None
    extent = (kernel - 1) * dilation + 1
    if padding_ == "valid":
        return (length - extent) // stride + 1 if length >= extent else 0
    return -(-length // stride)  # same, causal: ceil(length / stride)


def spatial_output(who: str, input_shape, kernel, strides, dilation, padding_, channels_first, out_channels):
    """Output shape (batch included) of a conv/pool over the spatial axes of ``input_shape``."""
    rank = len(kernel)
    spatial = input_shape[2:] if channels_first else input_shape[1:-1]
    out = []
    for i in range(rank):
        n = output_length(spatial[i], kernel[i], strides[i], dilation[i], padding_)
        if n is not None and n <= 0:
            extent = (kernel[i] - 1) * dilation[i] + 1
            raise ValueError(f"{who}: the window ({extent} wide along spatial axis {i}) does not fit the input with "
                             f"padding '{padding_}': the output would be empty. Received: input_shape={_fmt(input_shape)}")
        out.append(n)
    channels = input_shape[1] if channels_first else input_shape[-1]
    channels = channels if out_channels is None else out_channels
    return (input_shape[0], channels, *out) if channels_first else (input_shape[0], *out, channels)


def axis_list(who: str, name: str, value) -> int | list[int]:
    """An int or a list of ints (normalization axes)."""
    if _is_int(value):
        return int(value)
    if isinstance(value, (list, tuple)) and value and all(_is_int(v) for v in value):
        return [int(v) for v in value]
    raise TypeError(f"{who}: expected {name} to be an integer or a list of integers. Received: {name}={value!r}")


def normalize_axes(who: str, name: str, axis, rank: int) -> list[int]:
    """Axes of a rank-``rank`` shape (batch included) as non-negative ints; the batch axis is refused."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        b = a + rank if a < 0 else a
        if not 0 < b < rank:
            raise ValueError(f"{who}: {name}={axis!r} is out of range for inputs of rank {rank} (axis 0 is the batch axis)")
        out.append(b)
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: expected distinct axes. Received: {name}={axis!r}")
    return sorted(out)
