"""``ImageRecordIter``: MXNet's C++ image iterator over a RecordIO file, in Python.

Each record is an image packed with ``mx.recordio.pack_img`` (or MXNet's ``im2rec``).
Per image, in MXNet's order:

1. decode (``mx.image.imdecode``; gray when ``data_shape[0] == 1``);
2. ``resize > 0``: scale the shorter side to ``resize`` (``mx.image.resize_short`` with
   ``inter_method``, bilinear by default);
3. crop ``data_shape[1:]`` out of it: at the centre, or at a random place with
   ``rand_crop``; ``mirror`` flips left-right, ``rand_mirror`` with probability 1/2;
4. ``(pixel - mean) / std * scale`` per channel (``mean_r/g/b``, ``std_r/g/b``,
   ``scale``), as float32 in (C, H, W) order.

Labels are the records' headers (``label_width`` values each).  ``shuffle`` visits the
records in a new random order every pass (``seed``); the short last batch follows
MXNet's ``round_batch`` rule (``round_batch.py``; with ``round_batch=False`` MXNet 1.9.1
reports ``pad=0`` for the stale slots of that batch, pymx counts them).  Checked against MXNet 1.9.1 on PNG
records (pixels, means, std, scale, labels, wrap-around); MXNet decodes and resizes with
OpenCV, so see ``mx.image`` for the pixel differences of JPEG and resizing.
Not provided: ``mean_img`` files, rotations, aspect-ratio and HSL jitter, and the
``ImageRecordUInt8Iter``/``ImageDetRecordIter`` variants.
"""
import random

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from .io import DataDesc
from .round_batch import RoundBatchIter

__all__ = ["ImageRecordIter"]


class ImageRecordIter(RoundBatchIter):
    """Batches of augmented, normalized images from a RecordIO file (module docstring)."""

    def __init__(self, path_imgrec, data_shape, batch_size, path_imgidx=None, label_width=1,
                 shuffle=False, seed=0, resize=-1, inter_method=1, rand_crop=False,
                 mirror=False, rand_mirror=False,
                 mean_r=0.0, mean_g=0.0, mean_b=0.0, std_r=1.0, std_g=1.0, std_b=1.0,
                 scale=1.0, round_batch=True, data_name="data", label_name="softmax_label",
                 num_parts=1, part_index=0, **kwargs):
        from .. import recordio
        data_shape = tuple(int(d) for d in data_shape)
        if len(data_shape) != 3 or data_shape[0] not in (1, 3):
            raise MXNetError(f"ImageRecordIter: data_shape must be (1 or 3, height, width), "
                             f"got {data_shape}")
        reader = recordio.MXRecordIO(path_imgrec, "r")
        records = list(iter(reader.read, None))
        reader.close()
        lo = len(records) * part_index // num_parts
        records = records[lo:len(records) * (part_index + 1) // num_parts]
        if not records:
            raise MXNetError(f"ImageRecordIter: no records in {path_imgrec}")
        self._records = records
        self._shape = data_shape
        self._label_width = label_width
        self._shuffle, self._rng = shuffle, np.random.RandomState(seed)
        self._resize, self._interp = resize, inter_method
        self._rand_crop, self._mirror, self._rand_mirror = rand_crop, mirror, rand_mirror
        channels = slice(0, data_shape[0])
        self._mean = nd.array([mean_r, mean_g, mean_b][channels])
        self._std = nd.array([std_r, std_g, std_b][channels])
        self._scale = np.float32(scale)
        self._names = (data_name, label_name)
        self._perm = np.arange(len(records))
        super().__init__(batch_size, len(records), round_batch)

    @property
    def provide_data(self):
        return [DataDesc(self._names[0], (self.batch_size,) + self._shape, np.float32)]

    @property
    def provide_label(self):
        width = () if self._label_width == 1 else (self._label_width,)
        return [DataDesc(self._names[1], (self.batch_size,) + width, np.float32)]

    def _new_pass(self):
        if self._shuffle:
            self._perm = self._rng.permutation(self._n)

    def _order(self, positions):
        return self._perm[positions]

    def _image(self, record):
        """One record's (C, H, W) float32 pixels and its labels."""
        from .. import image, recordio
        header, payload = recordio.unpack(record)
        c, h, w = self._shape
        img = image.imdecode(payload, flag=1 if c == 3 else 0)
        if self._resize > 0:
            img = image.resize_short(img, self._resize, self._interp)
        ih, iw = img.shape[:2]
        if ih < h or iw < w:
            raise MXNetError(f"ImageRecordIter: an image of {ih}x{iw} is smaller than "
                             f"data_shape {self._shape} (set resize)")
        crop = image.random_crop if self._rand_crop else image.center_crop
        pixels = crop(img, (w, h))[0].astype(np.float32)
        if self._mirror or (self._rand_mirror and random.random() < 0.5):
            pixels = pixels.flip(axis=1)
        pixels = image.color_normalize(pixels, self._mean, self._std) * float(self._scale)
        label = np.atleast_1d(np.asarray(header.label, np.float32))[:self._label_width]
        return pixels.asnumpy().transpose(2, 0, 1), label

    def getdata(self):
        self._batch = [self._image(self._records[i]) for i in self._index]
        return [nd.array(np.stack([p for p, _ in self._batch]))]

    def getlabel(self):
        labels = np.stack([lab for _, lab in self._batch])
        return [nd.array(labels[:, 0] if self._label_width == 1 else labels)]
