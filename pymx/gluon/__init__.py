"""``mx.gluon``: the imperative, object-oriented front end of MXNet 1.x.

``Block``/``HybridBlock`` (block.py) hold ``Parameter`` s (parameter.py) and child
blocks; ``nn`` has the layers, ``loss`` the losses, ``Trainer`` (trainer.py) applies an
``mx.optimizer`` to the parameters after ``autograd.backward``, ``data`` loads batches,
``utils`` has split_and_load and clip_global_norm; ``contrib`` MXNet's contributed
layers, cells and the ``Estimator``.
"""
from .parameter import Parameter, Constant, ParameterDict, DeferredInitializationError, \
    tensor_types
from .block import Block, HybridBlock, SymbolBlock
from . import nn
from . import utils
from . import loss
from .trainer import Trainer
from . import data
from . import rnn, model_zoo
from . import contrib

__all__ = ["Parameter", "Constant", "ParameterDict", "DeferredInitializationError",
           "tensor_types", "Block",
           "HybridBlock", "SymbolBlock", "nn", "utils", "loss", "Trainer", "data", "rnn", "model_zoo",
           "contrib"]
