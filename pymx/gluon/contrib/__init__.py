"""``gluon.contrib``: MXNet 1.x's contributed Gluon pieces, laid out as in MXNet 1.9.1.

* ``contrib.nn`` (nn/basic_layers.py): ``Concurrent``, ``HybridConcurrent``,
  ``Identity``, ``SparseEmbedding``, ``SyncBatchNorm``, ``PixelShuffle1D/2D/3D``;
* ``contrib.estimator``: ``Estimator`` (a ``fit``/``evaluate`` training loop), its event
  handlers and ``BatchProcessor``;
* ``contrib.rnn``: ``VariationalDropoutCell``, ``LSTMPCell`` and the convolutional
  cells ``Conv{1,2,3}D{RNN,LSTM,GRU}Cell``;
* ``contrib.data``: ``IntervalSampler``.

The book's chapter 3 (``chapters/ch03_apis/gluon_contrib.md``) teaches them.
"""
from . import nn
from . import rnn
from . import data
from . import estimator

__all__ = ["nn", "rnn", "data", "estimator"]
