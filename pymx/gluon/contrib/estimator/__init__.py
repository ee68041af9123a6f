"""``gluon.contrib.estimator``: a ready-made training loop.

``Estimator(net, loss, ...)`` (estimator.py) runs ``fit``/``evaluate`` over
``DataLoader`` s; everything that happens around a batch (updating weights and
metrics, validating, logging, checkpointing, stopping) is an event handler
(event_handler.py); how one batch is trained or evaluated is a ``BatchProcessor``
(batch_processor.py).
"""
from . import batch_processor, estimator, event_handler  # noqa: F401
from .batch_processor import *  # noqa: F401,F403
from .estimator import *  # noqa: F401,F403
from .event_handler import *  # noqa: F401,F403
