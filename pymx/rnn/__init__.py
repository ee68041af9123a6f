"""``mx.rnn``: MXNet 1.x's legacy symbolic recurrent networks.

``rnn_cell.py``: cells that build unrolled Symbols (``LSTMCell``, ``FusedRNNCell``,
stacking, bidirectional and modifier cells); ``io.py``: ``encode_sentences`` and the
bucketing ``BucketSentenceIter``; ``rnn.py``: checkpoints with unpacked weights.
Train the symbols with ``mx.mod.Module`` or, for several lengths,
``mx.mod.BucketingModule``.  (Gluon's imperative cells are ``mx.gluon.rnn``.)

Chapter 8 (natural language, "Symbolic RNN cells and bucketing") teaches this package.
"""
from . import io, rnn, rnn_cell
from .io import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .rnn_cell import *  # noqa: F401,F403

__all__ = rnn_cell.__all__ + rnn.__all__ + io.__all__
