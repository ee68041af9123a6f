"""``mx.npx.image``: the image helpers of ``mx.image`` (``imread``, ``imresize``,
``fixed_crop``, the augmenters...) and the ``_image_*`` operators (``to_tensor``,
``normalize``, ``resize``, ``crop``, the flips and random colour operators) under one
name, as MXNet 1.9.1's ``npx.image``.  Where the two share a name (``resize``,
``crop``, ``normalize``) the operator wins, as in MXNet.  On ``mx.np`` arrays the
operators return ``mx.np`` arrays."""
from ..image import *  # noqa: F401,F403
from ..ndarray import image as _ops

for _name in dir(_ops):
    if not _name.startswith("_"):
        globals()[_name] = getattr(_ops, _name)
del _name
