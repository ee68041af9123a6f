"""``mx.monitor``: watch statistics of a network's arrays while a ``Module`` trains.

``Monitor(interval, stat_func, pattern)`` is installed into executors
(``mod.fit(..., monitor=mon)`` or ``mod.install_monitor(mon)``).  Every ``interval``
batches, ``tic()`` (called before the forward pass) switches it on; the executors then
report every output they compute (and, with ``monitor_all``, every operator input)
through their monitor callback, and ``toc()`` (after the update) adds the arguments and
auxiliary states and returns ``(batch, name, statistic)`` for each name matching
``pattern``.  ``toc_print()`` logs them.  The default statistic is
``norm(x) / sqrt(x.size)``, the root mean square, which shows exploding or vanishing
activations and gradients at a glance.
"""
import logging
import math
import re

from . import ndarray as nd

__all__ = ["Monitor"]


def _rms(x):
    """``||x|| / sqrt(size)``: MXNet's default statistic."""
    return nd.norm(x) / math.sqrt(x.size)


class Monitor:
    """Collect ``stat_func`` of the arrays whose names match ``pattern`` every
    ``interval`` batches (see the module docstring).  ``sort`` orders the results by
    name; ``monitor_all`` also reports the inputs of every operator."""

    def __init__(self, interval, stat_func=None, pattern=".*", sort=False, monitor_all=False):
        self.stat_func = stat_func or _rms
        self.interval = interval
        self.activated = False
        self.queue = []
        self.step = 0
        self.exes = []
        self.re_prog = re.compile(pattern)
        self.sort = sort
        self.monitor_all = monitor_all

    def stat_helper(self, name, array):
        """The executors' callback: record ``stat_func(array)`` while active."""
        if self.activated and self.re_prog.match(name):
            self.queue.append((self.step, name, self.stat_func(array)))

    def install(self, exe):
        """Report the arrays ``exe`` (an executor) computes; several may be installed."""
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def tic(self):
        """Call before the forward pass: start collecting if this batch is due."""
        if self.step % self.interval == 0:
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self):
        """Call after the update: stop collecting, add the arguments and auxiliary
        states, and return ``[(batch, name, statistic as text), ...]``."""
        if not self.activated:
            return []
        for exe in self.exes:
            named = list(zip(exe._symbol.list_arguments(), exe.arg_arrays)) + \
                list(zip(exe._symbol.list_auxiliary_states(), exe.aux_arrays))
            for name, array in named:
                if self.re_prog.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
        self.activated = False
        if self.sort:
            self.queue.sort(key=lambda item: item[1])
        res = []
        for step, name, values in self.queue:
            text = ""
            for v in values if isinstance(values, list) else [values]:
                text += (str(v.asscalar()) if v.shape == (1,) else str(v.asnumpy())) + "\t"
            res.append((step, name, text))
        self.queue = []
        return res

    def toc_print(self):
        """``toc()``, logged one line per array at INFO level."""
        for step, name, text in self.toc():
            logging.info("Batch: %7d %-30s %s", step, name, text)
