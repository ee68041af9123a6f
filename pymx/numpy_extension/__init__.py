"""``mx.npx``: MXNet 1.9.1's NumPy *extension*: the semantics switches and the
deep-learning operators that NumPy has no name for.

>>> from pymx import np, npx
>>> npx.set_np()
>>> npx.relu(np.array([-1., 2.]))
array([0., 2.])
>>> npx.reset_np()

The switches (``set_np``, ``reset_np``, ``is_np_array``, ``is_np_shape``, ``use_np``)
live in ``pymx/util.py``; the operators in ``ops.py`` are the legacy operators
(``FullyConnected``, ``Convolution``...) under their ``npx`` names and with their
``npx`` defaults; ``device.py`` has contexts and ``.params`` files; ``random.py`` the
samplers of ``npx.random``; ``image.py`` is ``npx.image``.
"""
from ..util import (set_np, reset_np, is_np_array, is_np_shape, use_np,  # noqa: F401
                    use_np_array, use_np_shape, np_array, np_shape)
from .ops import *  # noqa: F401,F403
from .device import (Context, cpu, cpu_pinned, gpu, gpu_memory_info,  # noqa: F401
                     num_gpus, current_context, waitall, load, save)
from . import random  # noqa: F401
from . import image  # noqa: F401
