"""``gluon.contrib.rnn``: ``VariationalDropoutCell`` and ``LSTMPCell`` (rnn_cell.py), the
convolutional cells ``Conv{1,2,3}D{RNN,LSTM,GRU}Cell`` (conv_rnn_cell.py)."""
from .conv_rnn_cell import *  # noqa: F401,F403
from .rnn_cell import *  # noqa: F401,F403
from . import conv_rnn_cell, rnn_cell  # noqa: F401
