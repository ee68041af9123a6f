"""``mx.io``: data iterators for the symbolic API (``Module.fit`` reads these).

A ``DataIter`` yields ``DataBatch`` objects (lists of NDArrays ``data`` and ``label`` plus
``pad``, the number of filler examples at the end of a short last batch) and describes
its outputs with ``provide_data``/``provide_label`` (lists of ``DataDesc``: name, shape,
dtype, layout), which ``Module.bind`` uses to infer every shape.

Chapter 8 (training machinery) teaches this package.
"""
from .io import (DataDesc, DataBatch, DataIter, NDArrayIter, ResizeIter, PrefetchingIter,
                 MNISTIter)
from .csv_iter import CSVIter
from .image_record_iter import ImageRecordIter
from .libsvm_iter import LibSVMIter

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter",
           "PrefetchingIter", "MNISTIter", "CSVIter", "ImageRecordIter", "LibSVMIter"]
