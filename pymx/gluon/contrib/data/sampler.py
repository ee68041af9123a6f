"""``IntervalSampler``: visit ``[0, length)`` with a fixed stride, then the skipped
items (for language-model batches that read every ``interval``-th position)."""
from ...data import sampler

__all__ = ["IntervalSampler"]


class IntervalSampler(sampler.Sampler):
    """Sample ``0, interval, 2*interval, ...``, then (``rollover=True``) start again
    from 1, 2, ... until every index of ``[0, length)`` has been visited once::

        >>> list(IntervalSampler(13, interval=3))
        [0, 3, 6, 9, 12, 1, 4, 7, 10, 2, 5, 8, 11]
        >>> list(IntervalSampler(13, interval=3, rollover=False))
        [0, 3, 6, 9, 12]

    As in MXNet 1.9.1, ``len()`` is ``length`` even with ``rollover=False`` (when
    fewer items are yielded), and ``interval > length`` raises ``AssertionError``.
    """

    def __init__(self, length, interval, rollover=True):
        assert interval <= length, \
            "Interval {} must be smaller than or equal to length {}".format(interval, length)
        self._length = length
        self._interval = interval
        self._rollover = rollover

    def __iter__(self):
        for start in range(self._interval if self._rollover else 1):
            yield from range(start, self._length, self._interval)

    def __len__(self):
        return self._length
