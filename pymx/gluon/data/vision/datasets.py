"""Vision datasets read from local files: ``MNIST`` and ``FashionMNIST``.

Both hold images as an NDArray (N, 28, 28, 1) of **uint8** (HWC, as MXNet) and labels
as a NumPy **int32** vector; item ``i`` is ``(image (28, 28, 1) NDArray, label)``, or
``transform(image, label)`` when a transform is given.  The files are the four
original IDX ``.gz`` files (``train-images-idx3-ubyte.gz`` ...), read with
``pymx.data.idx.read_idx``.  pymx never downloads: ``MNIST()`` reads the copy bundled
with pymx (``pymx.data.idx.mnist_root()``), ``FashionMNIST()`` reads the given root or
the Debian package ``dataset-fashion-mnist``'s folder.
"""
import os

import numpy as np

from .... import ndarray as nd
from ....base import MXNetError
from ....data.idx import read_idx, mnist_root
from ..dataset import Dataset, RecordFileDataset

__all__ = ["MNIST", "FashionMNIST", "ImageRecordDataset"]

_FILES = {True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
          False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}

#: Where FashionMNIST looks when no root is given (Debian's dataset-fashion-mnist).
FASHION_MNIST_ROOTS = ("/usr/share/datasets/fashion-mnist",)


class MNIST(Dataset):
    """The MNIST handwritten digits (60000 train / 10000 test images).

    Parameters
    ----------
    root : str or None
        Folder holding the IDX ``.gz`` files (default: the copy inside pymx).
    train : bool
        The training set (else the test set).
    transform : callable ``(data, label) -> sample`` or None
    """
    _name = "MNIST"

    def __init__(self, root=None, train=True, transform=None):
        self._train = train
        self._transform = transform
        self._root = self._find_root(root)
        self._get_data()

    def _candidate_roots(self, root):
        return [os.path.expanduser(root)] if root is not None else [mnist_root()]

    def _find_root(self, root):
        names = _FILES[self._train]
        tried = self._candidate_roots(root)
        for folder in tried:
            if all(os.path.exists(os.path.join(folder, n)) for n in names):
                return folder
        raise MXNetError(
            f"{self._name}: the files {names[0]} and {names[1]} were not found; pymx looked "
            f"in {', '.join(tried)}. pymx never downloads data: copy the original IDX .gz "
            f"files into a folder and pass it as root=...{self._how_to_get()}")

    def _how_to_get(self):
        return ""

    def _get_data(self):
        images, labels = _FILES[self._train]
        label = read_idx(os.path.join(self._root, labels)).astype(np.int32)
        data = read_idx(os.path.join(self._root, images))
        data = data.reshape(len(label), 28, 28, 1)
        self._data = nd.array(data, dtype=data.dtype)
        self._label = label

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST (same format and file names as MNIST).  ``root``
    defaults to ``/usr/share/datasets/fashion-mnist`` (``apt-get install
    dataset-fashion-mnist`` on Debian)."""
    _name = "FashionMNIST"

    def _candidate_roots(self, root):
        return [os.path.expanduser(root)] if root is not None else list(FASHION_MNIST_ROOTS)

    def _how_to_get(self):
        return " (on Debian/Ubuntu: apt-get install dataset-fashion-mnist)."


class ImageRecordDataset(RecordFileDataset):
    """Images in a RecordIO file (made with ``mx.recordio.pack_img`` or MXNet's
    ``im2rec``): sample ``i`` is ``(image, label)``, the image a uint8 NDArray
    (H, W, 3) in RGB order (``flag=1``) or (H, W, 1) grayscale (``flag=0``), as
    ``mx.image.imdecode`` gives it; the label is the header's (a float, or an array).
    ``transform(image, label)``, if given, is applied to each sample."""

    def __init__(self, filename, flag=1, transform=None):
        super().__init__(filename)
        self._flag = flag
        self._transform = transform

    def __getitem__(self, idx):
        from .... import recordio
        from ....image import imdecode
        header, payload = recordio.unpack(super().__getitem__(idx))
        sample = imdecode(payload, self._flag), header.label
        return self._transform(*sample) if self._transform is not None else sample
