"""``ImageIter``: an ``mx.io.DataIter`` over encoded images, decoded and augmented one
by one and stacked into batches of (N, C, H, W) float32 data.

The images come from a RecordIO file (``path_imgrec``, records made by
``mx.recordio.pack``: a header with the label, then the encoded image; with
``path_imgidx`` the index allows shuffling and partitions), or from an image list: a
``.lst`` file (``path_imglist``, lines ``index<TAB>label(s)<TAB>path`` relative to
``path_root``) or a Python list ``imglist`` of ``[label(s), path]``.  Each image goes
through ``imdecode`` and the augmenters (``aug_list``, or
``CreateAugmenter(data_shape, **kwargs)``), then HWC -> CHW.

The last, short batch (``last_batch_handle``), e.g. 5 images in batches of 2:

* ``'pad'``: the third batch is image 4 then image 0, ``pad=1``;
* ``'discard'``: two batches;
* ``'roll_over'``: two batches; image 4 is kept and opens the next epoch's first batch.

Shuffling uses Python's ``random.shuffle`` on the record keys, as MXNet.
"""
import os
import random
from numbers import Number

from .. import ndarray as nd
from .. import recordio
from ..io import DataBatch, DataDesc, DataIter
from .augmenter import CreateAugmenter
from .decode import imdecode

__all__ = ["ImageIter"]

_LAST_BATCH = ("pad", "discard", "roll_over")


def _read_lst(path, dtype):
    """``{index: (label NDArray, path)}`` and the indices in file order."""
    imglist, keys = {}, []
    with open(path) as fin:
        for line in fin:
            fields = line.strip().split("\t")
            if len(fields) < 3:
                raise ValueError(f"ImageIter: line {line!r} of {path} is not "
                                 "'index<TAB>label(s)<TAB>path'")
            key = int(fields[0])
            imglist[key] = (nd.array([float(v) for v in fields[1:-1]], dtype=dtype), fields[-1])
            keys.append(key)
    return imglist, keys


def _from_list(items, dtype):
    """``imglist`` items ``[label(s)..., path]`` keyed '1', '2', ... (as MXNet)."""
    imglist, keys = {}, []
    for n, item in enumerate(items, start=1):
        if len(item) > 2:
            label = item[:-1]
        elif isinstance(item[0], Number):
            label = [item[0]]
        else:
            label = item[0]
        imglist[str(n)] = (nd.array(label, dtype=dtype), item[-1])
        keys.append(str(n))
    return imglist, keys


class ImageIter(DataIter):
    """Batches of decoded, augmented images (see the module docstring).

    Parameters
    ----------
    batch_size : int
    data_shape : (3, H, W)
        The output shape of one image (only 3 channels).
    label_width : int, default 1
        Labels per image; the label batch is (N,) or (N, label_width).
    path_imgrec, path_imgidx, path_imglist, path_root, imglist :
        Where the images are (at least one of path_imgrec, path_imglist, imglist).
    shuffle : bool
        Shuffle the order at each ``reset`` (needs ``path_imgidx`` for a .rec).
    part_index, num_parts : int
        Use only part ``part_index`` of ``num_parts`` equal parts (distributed training).
    aug_list : list of Augmenter, optional
        Default: ``CreateAugmenter(data_shape, **kwargs)``.
    data_name, label_name : str
    dtype : {'float32', 'int32', 'int64', 'float64'}
        dtype of the labels read from an image list.
    last_batch_handle : {'pad', 'discard', 'roll_over'}
    """

    def __init__(self, batch_size, data_shape, label_width=1, path_imgrec=None,
                 path_imglist=None, path_root=None, path_imgidx=None, shuffle=False,
                 part_index=0, num_parts=1, aug_list=None, imglist=None, data_name="data",
                 label_name="softmax_label", dtype="float32", last_batch_handle="pad",
                 **kwargs):
        super().__init__(batch_size)
        if not (path_imgrec or path_imglist or isinstance(imglist, list)):
            raise ValueError("ImageIter: give path_imgrec, path_imglist or imglist (a list)")
        if dtype not in ("int32", "float32", "int64", "float64"):
            raise ValueError(f"ImageIter: label dtype {dtype} not supported")
        if last_batch_handle not in _LAST_BATCH:
            raise ValueError(f"ImageIter: last_batch_handle must be one of {_LAST_BATCH}, "
                             f"got {last_batch_handle!r}")
        if len(data_shape) != 3 or data_shape[0] != 3:
            raise ValueError(f"ImageIter: data_shape must be (3, H, W), got {data_shape}")

        self.imgrec, self.imgidx = None, None
        if path_imgrec and path_imgidx:
            self.imgrec = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
            self.imgidx = list(self.imgrec.keys)
        elif path_imgrec:
            self.imgrec = recordio.MXRecordIO(path_imgrec, "r")
        self.imglist, keys = None, None
        if path_imglist:
            self.imglist, keys = _read_lst(path_imglist, dtype)
        elif isinstance(imglist, list):
            self.imglist, keys = _from_list(imglist, dtype)
        self.path_root = path_root

        self.data_shape, self.label_width = tuple(data_shape), label_width
        self.provide_data = [DataDesc(data_name, (batch_size,) + self.data_shape)]
        label_shape = (batch_size, label_width) if label_width > 1 else (batch_size,)
        self.provide_label = [DataDesc(label_name, label_shape)]
        self.shuffle = shuffle

        # seq: the keys to read, in order; None: read the .rec file sequentially
        if self.imgrec is None:
            self.seq = keys
        elif shuffle or num_parts > 1 or path_imgidx:
            if self.imgidx is None:
                raise ValueError("ImageIter: shuffle and num_parts > 1 on a .rec file need "
                                 "path_imgidx")
            self.seq = self.imgidx
        else:
            self.seq = None
        if num_parts > 1:
            if not 0 <= part_index < num_parts:
                raise ValueError(f"ImageIter: part_index={part_index} not in [0, {num_parts})")
            size = len(self.seq) // num_parts
            self.seq = self.seq[part_index * size:(part_index + 1) * size]

        self.auglist = CreateAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.last_batch_handle = last_batch_handle
        self.num_image = len(self.seq) if self.seq is not None else None
        self.cur = 0
        self._allow_read = True
        self._cache = None                  # roll_over: (data, label, count) kept for later
        self.reset()

    def reset(self):
        """Start a new epoch (reshuffled); with ``roll_over`` and a kept short batch,
        reading continues where it is."""
        if self.seq is not None and self.shuffle:
            random.shuffle(self.seq)
        if self.last_batch_handle != "roll_over" or self._cache is None:
            if self.imgrec is not None:
                self.imgrec.reset()
            self.cur = 0
            self._allow_read = True

    def hard_reset(self):
        """Start a new epoch and forget a rolled-over batch."""
        self._cache = None
        self.reset()

    def next_sample(self):
        """``(label, encoded image)`` of the next image; StopIteration at the end (where,
        unless discarding, reading wraps to the start for padding)."""
        if not self._allow_read:
            raise StopIteration
        if self.seq is None:
            record = self.imgrec.read()
            if record is None:
                if self.last_batch_handle != "discard":
                    self.imgrec.reset()
                raise StopIteration
            header, img = recordio.unpack(record)
            return header.label, img
        if self.cur >= self.num_image:
            if self.last_batch_handle != "discard":
                self.cur = 0
            raise StopIteration
        idx = self.seq[self.cur]
        self.cur += 1
        if self.imgrec is not None:
            header, img = recordio.unpack(self.imgrec.read_idx(idx))
            return (header.label if self.imglist is None else self.imglist[idx][0]), img
        label, fname = self.imglist[idx]
        return label, self.read_image(fname)

    def _batchify(self, batch_data, batch_label, start=0):
        """Fill rows ``start..`` of the batch; returns how many rows are filled."""
        i = start
        try:
            while i < self.batch_size:
                label, s = self.next_sample()
                data = self.augmentation_transform(self.imdecode(s))
                batch_data[i] = self.postprocess_data(data)
                batch_label[i] = label
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def next(self):
        """The next ``DataBatch`` (data and label lists of one array each, ``pad``)."""
        if self._cache is not None:
            batch_data, batch_label, i = self._cache
        else:
            batch_data = nd.zeros(self.provide_data[0].shape)
            batch_label = nd.empty(self.provide_label[0].shape)
            i = self._batchify(batch_data, batch_label)
        pad = self.batch_size - i
        if pad:
            if self.last_batch_handle == "discard":
                raise StopIteration
            if self.last_batch_handle == "roll_over" and self._cache is None:
                self._cache = (batch_data, batch_label, i)
                raise StopIteration
            self._batchify(batch_data, batch_label, i)
            if self.last_batch_handle == "pad":
                self._allow_read = False
            else:
                self._cache = None
        return DataBatch([batch_data], [batch_label], pad=pad)

    def imdecode(self, s):
        """Decode one image; a broken one raises RuntimeError naming its file or key."""
        try:
            return imdecode(s)
        except Exception as err:
            raise RuntimeError(f"Broken image {self._locate()}, {err}") from None

    def _locate(self):
        if self.seq is None:
            return "in the .rec file"
        idx = self.seq[(self.cur % self.num_image) - 1]
        return f"filename: {self.imglist[idx][1]}" if self.imglist is not None \
            else f"index: {idx}"

    def read_image(self, fname):
        """The bytes of the image file ``fname`` (under ``path_root``)."""
        with open(os.path.join(self.path_root or "", fname), "rb") as fin:
            return fin.read()

    def augmentation_transform(self, data):
        """Apply the augmenters in order."""
        for aug in self.auglist:
            data = aug(data)
        return data

    def postprocess_data(self, datum):
        """HWC -> CHW, the layout of a batch."""
        return nd.transpose(datum, axes=(2, 0, 1))
