"""``CSVIter``: MXNet's C++ CSV iterator, in Python.

Each line of ``data_csv`` is one example, reshaped to ``data_shape`` (a line
``1,2,3,4,5,6`` with ``data_shape=(3, 2)`` is ``[[1, 2], [3, 4], [5, 6]]``); the lines
of ``label_csv`` are the labels, reshaped to ``label_shape`` (without a label file every
label is 0).  ``data_csv`` may name a folder: then all its files, in name order.
Values are parsed as ``dtype`` (float32, or int32/int64).

The short last batch of a pass is filled as MXNet 1.9.1 fills it (``round_batch``,
``round_batch.py``; checked against MXNet).
"""
import os

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from .io import DataDesc
from .round_batch import RoundBatchIter

__all__ = ["CSVIter"]


def _read_csv(path, shape, dtype, what):
    files = [os.path.join(path, f) for f in sorted(os.listdir(path))] \
        if os.path.isdir(path) else [path]
    size = int(np.prod(shape))
    rows = []
    for name in files:
        with open(name) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                row = np.array(line.strip().rstrip(",").split(","), dtype=np.float64)
                if row.size != size:
                    raise MXNetError(f"CSVIter: {what} line {n} of {name} has {row.size} "
                                     f"values, but {what}_shape={tuple(shape)} needs {size}")
                rows.append(row)
    return np.array(rows, dtype=dtype).reshape((len(rows),) + tuple(shape))


class CSVIter(RoundBatchIter):
    """Batches of the lines of a CSV file (see the module docstring)."""

    def __init__(self, data_csv, data_shape, label_csv=None, label_shape=(1,),
                 batch_size=1, round_batch=True, dtype="float32", data_name="data",
                 label_name="softmax_label", **kwargs):
        if dtype not in ("float32", "int32", "int64"):
            raise MXNetError(f"CSVIter: dtype must be float32, int32 or int64, got {dtype!r}")
        self._dtype = np.dtype(dtype)
        self._data = _read_csv(data_csv, tuple(data_shape), self._dtype, "data")
        n = len(self._data)
        if n == 0:
            raise MXNetError(f"CSVIter: {data_csv} has no data")
        if label_csv is None:
            self._label = np.zeros((n,) + tuple(label_shape), self._dtype)
        else:
            self._label = _read_csv(label_csv, tuple(label_shape), self._dtype, "label")
            if len(self._label) != n:
                raise MXNetError(f"CSVIter: {n} data lines but {len(self._label)} label lines")
        # MXNet shows a label of shape (1,) per example as (batch,)
        self._label_shape = () if tuple(label_shape) == (1,) else tuple(label_shape)
        self._names = (data_name, label_name)
        super().__init__(batch_size, n, round_batch)

    @property
    def provide_data(self):
        return [DataDesc(self._names[0], (self.batch_size,) + self._data.shape[1:],
                         self._dtype.type)]

    @property
    def provide_label(self):
        return [DataDesc(self._names[1], (self.batch_size,) + self._label_shape,
                         self._dtype.type)]

    def getdata(self):
        return [nd.array(self._data[self._index], dtype=self._dtype)]

    def getlabel(self):
        label = self._label[self._index]
        return [nd.array(label.reshape((self.batch_size,) + self._label_shape),
                         dtype=self._dtype)]
