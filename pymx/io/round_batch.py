"""The batching of MXNet's C++ iterators (``CSVIter``, ``ImageRecordIter``).

Examples are visited in order (or a permutation of it); the short last batch of a pass
is filled as MXNet 1.9.1 fills it:

* ``round_batch=True`` (default): the missing examples are taken from the start (``pad``
  counts them), and the next pass, after ``reset()``, continues after them instead of
  starting over, so that every example is used equally often;
* ``round_batch=False``: the missing slots keep the examples of the previous batch
  (stale data, marked by ``pad``), and every pass starts at the first example.

Subclasses read ``self._index`` (the examples in the current batch) in ``getdata`` and
``getlabel``; ``_new_pass()`` is called when a pass starts at the first example.
"""
import numpy as np

from .io import DataIter

__all__ = []


class RoundBatchIter(DataIter):
    """A ``DataIter`` over ``num_examples`` examples with MXNet's last-batch rule."""

    def __init__(self, batch_size, num_examples, round_batch=True):
        super().__init__(batch_size)
        self._n, self._round = num_examples, round_batch
        self._start = self._cursor = 0       # where the next / this pass is
        self._index = np.zeros(batch_size, np.int64)
        self._pad = 0
        self._exhausted = False
        self._new_pass()

    def _new_pass(self):
        """A pass starts at the first example (a subclass may reshuffle here)."""

    def _order(self, positions):
        """The examples at pass positions ``positions`` (the identity unless shuffled)."""
        return positions

    def reset(self):
        self._cursor, self._exhausted = self._start, False
        if self._start == 0:
            self._new_pass()

    def iter_next(self):
        n, b = self._n, self.batch_size
        if self._exhausted:                 # the pass ended with a wrap: keep _start
            return False
        if self._cursor >= n:               # the pass ended at the last example
            self._start = 0
            return False
        take = np.arange(self._cursor, min(self._cursor + b, n))
        self._pad = b - take.size
        if self._pad and self._round:                 # wrap around to the start
            wrapped = np.arange(self._pad) % n
            self._index = self._order(np.concatenate([take, wrapped]))
            self._start, self._exhausted = int(wrapped[-1]) + 1, True
        else:                                          # stale slots keep old examples
            self._index[:take.size] = self._order(take)
        self._cursor += b
        return True

    def getpad(self):
        return self._pad

    def getindex(self):
        return self._index.copy()
