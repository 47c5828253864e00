"""Training data for pyj4 models: ``Dataset.from_numpy``, ``Dataset.from_arrow``, ``Dataset.from_parquet``."""
from .dataset import Dataset

__all__ = ["Dataset"]
