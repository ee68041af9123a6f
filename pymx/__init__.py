"""pymx: a readable re-implementation of Apache MXNet 1.x, with a NumPy reference backend.

``import pymx as mx`` and classic MXNet 1.x code runs:

>>> import pymx as mx
>>> x = mx.nd.ones((2, 3))
>>> (x * 2).sum().asscalar()
12.0
"""
__version__ = "0.1.0"

import os as _os
import sys as _sys

# Idle OpenBLAS threads spin for ~0.1 s by default, taking the core that pymx's own
# kernel threads need (backend/parallel.py); ask them to sleep at once.  Only possible
# before NumPy loads OpenBLAS, and only if the user has not chosen a value.
_BLAS_QUIET = "numpy" not in _sys.modules or "OPENBLAS_THREAD_TIMEOUT" in _os.environ
if "numpy" not in _sys.modules:
    _os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from . import base  # noqa: E402
from .base import MXNetError
from .context import Context, cpu, gpu, opencl, cpu_pinned, current_context, num_gpus
from . import context
from . import engine
from . import backend
from . import ops
from . import ndarray
from . import ndarray as nd
from . import random
from . import random as rnd
from . import util
from .util import (is_np_array, is_np_shape, set_np_shape, use_np, use_np_array,
                   use_np_shape, np_array, np_shape)
from . import numpy as np
from . import numpy_extension as npx
nd.np, nd.npx = np, npx           # ``F.np``/``F.npx`` in a block that is not hybridized
from . import autograd
from . import operator
from . import profiler
from . import name, attribute
from .attribute import AttrScope
from . import symbol
from . import symbol as sym
from . import executor
from . import visualization
from . import visualization as viz
from .cached_op import CachedOp
from . import test_utils
from . import optimizer
from . import lr_scheduler
from . import initializer
from . import initializer as init
from . import metric
from . import kvstore, kvstore as kv
from . import gluon
from . import io
from . import recordio
from . import image
from . import image as img
from . import module
from . import module as mod
from . import callback
from . import monitor
from . import monitor as mon
from . import model
from . import rnn
from . import onnx
from . import runtime
from . import contrib

__all__ = ["MXNetError", "Context", "cpu", "gpu", "opencl", "cpu_pinned",
           "current_context", "num_gpus", "nd", "ndarray", "np", "npx", "util",
           "is_np_array", "is_np_shape", "set_np_shape", "use_np", "use_np_array",
           "use_np_shape", "np_array", "np_shape",
           "autograd", "operator", "profiler", "engine", "base",
           "test_utils", "random", "symbol", "sym", "executor", "viz", "visualization",
           "name", "attribute", "AttrScope", "CachedOp", "optimizer", "lr_scheduler",
           "initializer", "init", "metric", "gluon", "io", "recordio", "image", "img",
           "module", "mod", "callback", "monitor", "mon", "model", "backend", "kv",
           "kvstore", "rnn", "rnd", "onnx", "contrib", "runtime"]
