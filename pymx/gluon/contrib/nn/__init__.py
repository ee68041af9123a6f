"""``gluon.contrib.nn``: container and utility layers (see basic_layers.py)."""
from .basic_layers import *  # noqa: F401,F403
from . import basic_layers  # noqa: F401
