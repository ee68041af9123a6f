"""``mx.image`` (alias ``mx.img``): MXNet 1.9.1's image API — decoding, resizing,
cropping, augmenters and ``ImageIter``.  Chapter 7 (``chapters/ch07_vision/lenet.md``)
uses it.

=====================  ===============================================================
``decode.py``          ``imdecode``, ``imread``: bytes/files to (H, W, C) uint8 RGB
``resize.py``          ``imresize``, ``resize_short``: OpenCV's interpolation rules
``crop.py``            ``fixed_crop``, ``center_crop``, ``random_crop``,
                       ``random_size_crop``, ``scale_down``
``border.py``          ``copyMakeBorder``
``rotate.py``          ``imrotate``, ``random_rotate`` (channel-first float32, as MXNet)
``normalize.py``       ``color_normalize``
``augmenter.py``       ``Augmenter`` and its subclasses, ``CreateAugmenter``
``image_iter.py``      ``ImageIter``, a ``DataIter`` over .rec files and image lists
=====================  ===============================================================

Where pymx differs from MXNet 1.9.1 (which calls OpenCV in C++):

* **Decoding** uses Pillow instead of OpenCV: PNG pixels are identical, JPEG pixels can
  differ by a few levels (another IDCT), and gray conversion (``flag=0``) of a colour
  file can differ by one level.
* **Resizing** computes OpenCV's sampling rules (pixel centres, kernels, borders) with
  NumPy: float images in float (equal to MXNet's up to float rounding), uint8 images in
  OpenCV 3.4's fixed-point arithmetic (equal to MXNet's, pixel for pixel).
* The image functions run on the host with NumPy (the results are NDArrays on the
  source's context), not as operators: they are not recorded by autograd and cannot be
  used in a Symbol (``imrotate`` is the exception: a ``BilinearSampler`` call).  Not
  provided: the detection iterators (``mx.image.detection``).

Random choices use Python's ``random`` module (and ``numpy.random`` for PCA noise)
exactly as MXNet does, so seeding them reproduces MXNet's crops, flips and orders.
"""
from .decode import imdecode, imread
from .resize import imresize, resize_short
from .crop import scale_down, fixed_crop, center_crop, random_crop, random_size_crop
from .border import copyMakeBorder
from .rotate import imrotate, random_rotate
from .normalize import color_normalize
from .augmenter import (Augmenter, SequentialAug, RandomOrderAug, ResizeAug, ForceResizeAug,
                        RandomCropAug, RandomSizedCropAug, CenterCropAug, HorizontalFlipAug,
                        CastAug, BrightnessJitterAug, ContrastJitterAug, SaturationJitterAug,
                        HueJitterAug, ColorJitterAug, LightingAug, RandomGrayAug,
                        ColorNormalizeAug, CreateAugmenter)
from .image_iter import ImageIter

__all__ = ["imdecode", "imread", "imresize", "resize_short", "scale_down", "fixed_crop",
           "center_crop", "random_crop", "random_size_crop", "copyMakeBorder",
           "color_normalize", "Augmenter", "SequentialAug", "RandomOrderAug", "ResizeAug",
           "ForceResizeAug", "RandomCropAug", "RandomSizedCropAug", "CenterCropAug",
           "HorizontalFlipAug", "CastAug", "BrightnessJitterAug", "ContrastJitterAug",
           "SaturationJitterAug", "HueJitterAug", "ColorJitterAug", "LightingAug",
           "RandomGrayAug", "ColorNormalizeAug", "CreateAugmenter", "ImageIter", "imrotate",
           "random_rotate"]
