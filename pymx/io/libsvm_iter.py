"""``LibSVMIter``: MXNet's C++ LibSVM iterator, in Python; batches come as CSR.

A LibSVM line is ``label idx:value idx:value ...``; MXNet reads the indices as
**zero-based** (``0:0.5`` is column 0), sorted within a line.  Each batch is a
``CSRNDArray`` of shape ``(batch_size, data_shape[0])``.  Without ``label_libsvm`` the
label is each line's first number, a dense ``(batch_size,)`` array (``label_shape``
must be ``(1,)``); with ``label_libsvm`` the labels are the lines of that file read the
same way, a ``(batch_size, label_shape[0])`` CSRNDArray (the label column of the label
file is ignored).  ``data_libsvm`` may name a folder: then all its files, in name order.

``num_parts``/``part_index`` read one part of the file, split as dmlc-core's
``InputSplit`` splits text: the bytes are cut into ``num_parts`` equal ranges, and each
cut moves forward to the start of the next line (so parts need not be even).

The short last batch is filled as MXNet 1.9.1 fills it (``round_batch``,
``round_batch.py``: the examples wrap around to the start and the next pass continues
after them); ``round_batch=False`` raises, as in MXNet.  Checked against MXNet 1.9.1 (``tests/data/mxnet/make_libsvm.py``).
"""
import os

import numpy as np

from ..base import MXNetError
from ..ndarray import array
from ..ndarray.sparse import CSRNDArray
from .io import DataDesc
from .round_batch import RoundBatchIter

__all__ = ["LibSVMIter"]

def _files(path):
    if os.path.isdir(path):
        return [os.path.join(path, f) for f in sorted(os.listdir(path))]
    if not os.path.exists(path):
        raise MXNetError(f"LibSVMIter: no such file or directory: {path}")
    return [path]

def _line_start_after(buf, pos):
    """dmlc's ``SeekRecordBegin``: from ``pos`` (> 0), past the first end of line and
    the end-of-line characters that follow it."""
    if pos == 0:
        return 0
    n = len(buf)
    while pos < n and buf[pos] not in b"\r\n":
        pos += 1
    while pos < n and buf[pos] in b"\r\n":
        pos += 1
    return pos

def _part(buf, num_parts, part_index):
    """The bytes of part ``part_index`` of ``num_parts`` (dmlc ``InputSplit``)."""
    step = (len(buf) + num_parts - 1) // num_parts
    begin = min(step * part_index, len(buf))
    end = min(step * (part_index + 1), len(buf))
    return buf[_line_start_after(buf, begin):_line_start_after(buf, end)]

def _parse(path, width, num_parts, part_index, what):
    """Labels (float32) and the CSR parts (values, column indices, indptr) of a file."""
    buf = b"".join(open(f, "rb").read() for f in _files(path))
    labels, values, columns, indptr = [], [], [], [0]
    for n, line in enumerate(_part(buf, num_parts, part_index).splitlines(), 1):
        tokens = line.split(b"#")[0].split()
        if not tokens:
            continue
        try:
            labels.append(float(tokens[0].split(b":")[0]))
            for tok in tokens[1:]:
                idx, val = tok.split(b":")
                if idx == b"qid":
                    continue
                columns.append(int(idx))
                values.append(float(val))
        except ValueError:
            raise MXNetError(f"LibSVMIter: {what} line {n} of {path} is not "
                             f"'label idx:value ...': {line[:60]!r}") from None
        if columns and columns[-1] >= width:
            raise MXNetError(f"LibSVMIter: {what} line {n} of {path} has column "
                             f"{columns[-1]}, outside {what}_shape=({width},)")
        indptr.append(len(columns))
    return (np.array(labels, np.float32), np.array(values, np.float32),
            np.array(columns, np.int64), np.array(indptr, np.int64))

class LibSVMIter(RoundBatchIter):
    """Batches of a LibSVM file as CSRNDArrays (see the module docstring).

    Parameters
    ----------
    data_libsvm : str
        The file (or folder of files); indices zero-based.
    data_shape : tuple of one int
        ``(num_features,)``.
    label_libsvm : str, optional
        A LibSVM file of labels (then ``label_shape = (num_label_columns,)``).
    label_shape : tuple, default (1,)
    batch_size : int
    round_batch : bool, default True (False raises MXNetError, as in MXNet)
    num_parts, part_index : int
        Read part ``part_index`` of ``num_parts`` (distributed training).
    """

    def __init__(self, data_libsvm, data_shape, label_libsvm=None, label_shape=(1,),
                 batch_size=1, round_batch=True, num_parts=1, part_index=0,
                 data_name="data", label_name="softmax_label", **kwargs):
        data_shape, label_shape = tuple(data_shape), tuple(label_shape)
        if len(data_shape) != 1:
            raise MXNetError(f"LibSVMIter: data_shape must have 1 dimension, got {data_shape}")
        if int(batch_size) < 1:   # (MXNet 1.9.1 yields empty (0, n) batches here)
            raise MXNetError(f"LibSVMIter: batch_size must be at least 1, got {batch_size}")
        if not round_batch:
            raise MXNetError("LibSVMIter: the sparse batch loader doesn't support "
                             "round_batch == false (as MXNet 1.9.1)")
        if num_parts <= 0 or not 0 <= part_index < num_parts:
            raise MXNetError(f"LibSVMIter: need 0 <= part_index < num_parts, got part_index="
                             f"{part_index}, num_parts={num_parts}")
        if label_libsvm in (None, "NULL"):
            if int(np.prod(label_shape)) != 1:
                raise MXNetError(f"LibSVMIter: label_shape is expected to be (1,) when "
                                 f"label_libsvm is not given, got {label_shape}")
            label_libsvm = None
        elif int(np.prod(label_shape)) <= 1:
            raise MXNetError("LibSVMIter: label_shape is not expected to be (1,) when "
                             "label_libsvm is set")
        self._width, self._label_shape = data_shape[0], label_shape
        self._labels, *self._parts = _parse(data_libsvm, data_shape[0], num_parts,
                                           part_index, "data")
        n = len(self._labels)
        if n == 0:
            raise MXNetError(f"LibSVMIter: {data_libsvm} has no examples")
        self._label_parts = None
        if label_libsvm is not None:
            _, *self._label_parts = _parse(label_libsvm, label_shape[0], num_parts,
                                           part_index, "label")
            if len(self._label_parts[2]) - 1 < n:
                raise MXNetError(f"LibSVMIter: {label_libsvm} has fewer rows "
                                 f"({len(self._label_parts[2]) - 1}) than {data_libsvm} "
                                 f"({n})")
        self._names = (data_name, label_name)
        super().__init__(batch_size, n, round_batch)

    @property
    def provide_data(self):
        return [DataDesc(self._names[0], (self.batch_size, self._width), np.float32)]

    @property
    def provide_label(self):
        shape = (self.batch_size,) if self._label_parts is None else \
            (self.batch_size, self._label_shape[0])
        return [DataDesc(self._names[1], shape, np.float32)]

    @staticmethod
    def _rows(parts, index, width):
        """The CSRNDArray made of rows ``index`` of the CSR ``parts``."""
        values, columns, indptr = parts
        starts, stops = indptr[index], indptr[index + 1]
        take = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops)]) \
            if len(index) else np.zeros(0, np.int64)
        ptr = np.concatenate([[0], np.cumsum(stops - starts)]).astype(np.int64)
        return CSRNDArray(values[take.astype(np.int64)], [ptr, columns[take.astype(np.int64)]],
                          (len(index), width))

    def getdata(self):
        return [self._rows(self._parts, self._index, self._width)]

    def getlabel(self):
        if self._label_parts is None:
            return [array(self._labels[self._index])]
        return [self._rows(self._label_parts, self._index, self._label_shape[0])]
