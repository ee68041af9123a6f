"""``mx.mod``: the Module API, MXNet 1.x's high-level trainer for Symbols.

``Module(symbol)`` -> ``bind`` (allocate executors for the input shapes) ->
``init_params`` -> ``init_optimizer`` -> per batch ``forward``/``backward``/``update``;
``fit`` runs that loop, ``score``/``predict`` evaluate.  ``BaseModule`` holds the loops,
``Module`` the executors (``executor_group.py`` splits a batch over several contexts);
``BucketingModule`` keeps one ``Module`` per input length (bucket), all sharing the
default bucket's parameters; ``SequentialModule`` chains modules, and ``PythonModule``
/``PythonLossModule`` are stages written in Python.

Chapter 8 (training machinery) teaches this package.
"""
from .base_module import BaseModule
from .module import Module
from .bucketing_module import BucketingModule
from .sequential_module import SequentialModule
from .python_module import PythonModule, PythonLossModule

__all__ = ["BaseModule", "Module", "BucketingModule", "SequentialModule", "PythonModule",
           "PythonLossModule"]
