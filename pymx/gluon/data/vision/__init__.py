"""Vision datasets and transforms."""
from .datasets import MNIST, FashionMNIST, ImageRecordDataset  # noqa: F401
from . import transforms  # noqa: F401
from .cifar import CIFAR10, CIFAR100  # noqa: F401,E402
from .folder import ImageFolderDataset  # noqa: F401,E402
