"""Weight initializers: Keras names and configs. The numbers are drawn in the JVM; a ``seed`` of None
draws from pyj4's global generator (``pj.random.seed``)."""
from __future__ import annotations

from . import _checks


class Initializer:
    """Base class: ``get_config()`` gives the Keras config, ``to_dict()`` the class_name/config pair."""

    def get_config(self) -> dict:
        return {}

    def to_dict(self) -> dict:
        return {"class_name": type(self).__name__, "config": self.get_config()}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    pass


class Ones(Initializer):
    pass


class _Seeded(Initializer):
    def __init__(self, seed=None):
        self.seed = _checks.optional_seed(type(self).__name__, seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotUniform(_Seeded):
    pass


class GlorotNormal(_Seeded):
    pass


class HeNormal(_Seeded):
    pass


class HeUniform(_Seeded):
    pass


class RandomNormal(_Seeded):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = _checks.real("RandomNormal", "mean", mean)
        self.stddev = _checks.real("RandomNormal", "stddev", stddev, low=0.0)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Seeded):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = _checks.real("RandomUniform", "minval", minval)
        self.maxval = _checks.real("RandomUniform", "maxval", maxval)
        if self.maxval < self.minval:
            raise ValueError(
                f"RandomUniform: expected minval <= maxval. Received: minval={self.minval}, maxval={self.maxval}"
            )

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class Orthogonal(_Seeded):
    """A random orthogonal matrix times ``gain`` (shapes of rank > 2 flattened to 2-D): the default
    recurrent_initializer of LSTM and GRU."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = _checks.real("Orthogonal", "gain", gain)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


_CLASSES = {c.__name__: c for c in (Zeros, Ones, GlorotUniform, GlorotNormal, HeNormal, HeUniform, RandomNormal, RandomUniform,
                                    Orthogonal)}
_ALIASES = {
    "zeros": Zeros, "ones": Ones, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform, "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "orthogonal": Orthogonal,
}


def get(identifier, who: str = "initializer", arg: str = "initializer") -> Initializer:
    """An Initializer from an instance, a Keras string name, a class name or a {class_name, config} dict."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        cls = _ALIASES.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(
                f"{who}: unknown {arg}; expected one of {', '.join(_ALIASES)}. Received: {arg}={identifier!r}"
            )
        return cls()
    if isinstance(identifier, dict) and "class_name" in identifier:
        cls = _CLASSES.get(identifier["class_name"])
        if cls is None:
            raise ValueError(f"{who}: unknown {arg} class. Received: {arg}={identifier!r}")
        return cls.from_config(identifier.get("config") or {})
    raise TypeError(f"{who}: expected {arg} to be a name like 'glorot_uniform' or an Initializer. Received: {arg}={identifier!r}")
