"""Checkpoints of models built from ``mx.rnn`` cells.

``save_rnn_checkpoint`` stores the weights **unpacked** (one array per gate, e.g.
``lstm_l0_i2h_f_weight``) so that a checkpoint written from a ``FusedRNNCell`` model
loads into its ``unfuse()``d twin and back; ``load_rnn_checkpoint`` packs them again
for the given cells.  The files are ordinary ``prefix-symbol.json`` /
``prefix-%04d.params`` checkpoints (``mx.model.save_checkpoint``).

Chapter 8 (natural language, "Symbolic RNN cells and bucketing") teaches this file.
"""
from ..model import load_checkpoint, save_checkpoint
from .rnn_cell import BaseRNNCell

__all__ = ["save_rnn_checkpoint", "load_rnn_checkpoint", "do_rnn_checkpoint"]


def _as_cells(cells):
    return [cells] if isinstance(cells, BaseRNNCell) else cells


def save_rnn_checkpoint(cells, prefix, epoch, symbol, arg_params, aux_params):
    """``mx.model.save_checkpoint`` after ``cell.unpack_weights(arg_params)`` for each
    of ``cells`` (one cell or a list)."""
    for cell in _as_cells(cells):
        arg_params = cell.unpack_weights(arg_params)
    save_checkpoint(prefix, epoch, symbol, arg_params, aux_params)


def load_rnn_checkpoint(cells, prefix, epoch):
    """``mx.model.load_checkpoint``, then ``cell.pack_weights`` for each of ``cells``.
    Returns ``(symbol, arg_params, aux_params)``."""
    sym, arg, aux = load_checkpoint(prefix, epoch)
    for cell in _as_cells(cells):
        arg = cell.pack_weights(arg)
    return sym, arg, aux


def do_rnn_checkpoint(cells, prefix, period=1):
    """An ``epoch_end_callback`` for ``fit`` that calls ``save_rnn_checkpoint`` every
    ``period`` epochs (file number = epoch + 1, as ``mx.callback.do_checkpoint``)."""
    period = int(max(1, period))

    def _callback(iter_no, sym=None, arg=None, aux=None):
        """Save after epoch ``iter_no`` if it ends a period."""
        if (iter_no + 1) % period == 0:
            save_rnn_checkpoint(cells, prefix, iter_no + 1, sym, arg, aux)
    return _callback
