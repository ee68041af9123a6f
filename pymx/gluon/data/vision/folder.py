"""``ImageFolderDataset``: images stored one folder per class::

    root/car/0001.jpg   root/car/0002.png   root/bus/0001.jpg ...

Classes are the sorted sub-folder names (``synsets``), labels their indices; ``items``
is the list of ``(filename, label)``.  Files other than .jpg/.jpeg/.png are skipped with
a warning.  An item is ``(image, label)``: the image decoded to an NDArray (H, W, 3)
uint8 RGB (``flag=1``) or (H, W, 1) grayscale (``flag=0``) by ``mx.image.imread``
(Pillow: ``pip install pillow``, the optional extra ``pymx[image]``).
"""
import os
import warnings

from ....image import imread
from ..dataset import Dataset

__all__ = ["ImageFolderDataset"]


class ImageFolderDataset(Dataset):
    """A dataset of images in class sub-folders (see the module docstring).

    Parameters
    ----------
    root : str
    flag : {0, 1}, default 1
        1: three-channel RGB, 0: grayscale.
    transform : callable ``(image, label) -> sample`` or None
    """

    def __init__(self, root, flag=1, transform=None):
        self._root = os.path.expanduser(root)
        self._flag = flag
        self._transform = transform
        self._exts = [".jpg", ".jpeg", ".png"]
        self._list_images(self._root)

    def _list_images(self, root):
        self.synsets, self.items = [], []
        if not os.path.isdir(root):
            raise FileNotFoundError(f"ImageFolderDataset: {root} is not a directory")
        for folder in sorted(os.listdir(root)):
            path = os.path.join(root, folder)
            if not os.path.isdir(path):
                warnings.warn(f"Ignoring {path}, which is not a directory.", stacklevel=3)
                continue
            label = len(self.synsets)
            self.synsets.append(folder)
            for filename in sorted(os.listdir(path)):
                filename = os.path.join(path, filename)
                ext = os.path.splitext(filename)[1]
                if ext.lower() not in self._exts:
                    warnings.warn(f"Ignoring {filename} of type {ext}. Only support "
                                  f"{', '.join(self._exts)}")
                    continue
                self.items.append((filename, label))

    def __getitem__(self, idx):
        img = imread(self.items[idx][0], self._flag)
        label = self.items[idx][1]
        if self._transform is not None:
            return self._transform(img, label)
        return img, label

    def __len__(self):
        return len(self.items)
