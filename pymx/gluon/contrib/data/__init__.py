"""``gluon.contrib.data``: ``IntervalSampler`` (sampler.py).  MXNet's ``contrib.data.text``
(WikiText datasets that download their data) is not provided."""
from .sampler import *  # noqa: F401,F403
from . import sampler  # noqa: F401
