"""``CSVIter``: MXNet's C++ CSV iterator, in Python.

Each line of ``data_csv`` is one example, reshaped to ``data_shape`` (a line
``1,2,3,4,5,6`` with ``data_shape=(3, 2)`` is ``[[1, 2], [3, 4], [5, 6]]``); the lines
of ``label_csv`` are the labels, reshaped to ``label_shape`` (without a label file every
label is 0).  ``data_csv`` may name a folder: then all its files, in name order.
Values are parsed as ``dtype`` (float32, or int32/int64).

The last batch of a pass, as MXNet 1.9.1 fills it (checked against it):

* ``round_batch=True`` (default): the missing examples are taken from the start of the
  file (``pad`` counts them), and the next pass, after ``reset()``, continues after
  them instead of starting over: every example is used equally often;
* ``round_batch=False``: the missing slots keep the examples of the previous batch
  (stale data, marked by ``pad``), and every pass starts at the first line.
"""
import os

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from .io import DataDesc, DataIter

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


class CSVIter(DataIter):
    """Batches of the lines of a CSV file (see the module docstring)."""

    def __init__(self, data_csv, data_shape, label_csv=None, label_shape=(1,),
                 batch_size=1, round_batch=True, dtype="float32", data_name="data",
                 label_name="softmax_label", **kwargs):
        super().__init__(batch_size)
        if dtype not in ("float32", "int32", "int64"):
            raise MXNetError(f"CSVIter: dtype must be float32, int32 or int64, got {dtype!r}")
        self._dtype = np.dtype(dtype)
        self._data = _read_csv(data_csv, tuple(data_shape), self._dtype, "data")
        n = len(self._data)
        if label_csv is None:
            self._label = np.zeros((n,) + tuple(label_shape), self._dtype)
        else:
            self._label = _read_csv(label_csv, tuple(label_shape), self._dtype, "label")
            if len(self._label) != n:
                raise MXNetError(f"CSVIter: {n} data lines but {len(self._label)} label lines")
        if n == 0:
            raise MXNetError(f"CSVIter: {data_csv} has no data")
        # MXNet shows a label of shape (1,) per example as (batch,)
        self._label_shape = () if tuple(label_shape) == (1,) else tuple(label_shape)
        self._round = round_batch
        self._names = (data_name, label_name)
        self._start = 0                      # where the next pass begins
        self._cursor = 0
        self._index = np.zeros(batch_size, np.int64)     # examples in the batch buffer
        self._pad = 0
        self._exhausted = False

    @property
    def provide_data(self):
        return [DataDesc(self._names[0], (self.batch_size,) + self._data.shape[1:],
                         self._dtype.type)]

    @property
    def provide_label(self):
        return [DataDesc(self._names[1], (self.batch_size,) + self._label_shape,
                         self._dtype.type)]

    def reset(self):
        self._cursor, self._exhausted = self._start, False

    def iter_next(self):
        n, b = len(self._data), self.batch_size
        if self._exhausted:                 # the pass ended with a wrap: keep _start
            return False
        if self._cursor >= n:               # the pass ended at the last line
            self._start = 0
            return False
        take = np.arange(self._cursor, min(self._cursor + b, n))
        self._pad = b - take.size
        if self._pad and self._round:                 # wrap around to the start
            wrapped = np.arange(self._pad) % n
            self._index = np.concatenate([take, wrapped])
            self._start, self._exhausted = int(wrapped[-1]) + 1, True
        else:                                          # stale slots keep old examples
            self._index[:take.size] = take
        self._cursor += b
        return True

    def getdata(self):
        return [nd.array(self._data[self._index], dtype=self._dtype)]

    def getlabel(self):
        label = self._label[self._index]
        return [nd.array(label.reshape((self.batch_size,) + self._label_shape),
                         dtype=self._dtype)]

    def getpad(self):
        return self._pad

    def getindex(self):
        return self._index.copy()
