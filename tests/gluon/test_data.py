"""gluon.data: datasets, samplers, DataLoader (workers), vision datasets and transforms
(notes section 4 item 45)."""
import gzip
import struct

import numpy as np
import pytest

import pymx as mx
from pymx import gluon
from pymx.base import MXNetError
from pymx.gluon.data import vision
from pymx.gluon.data.vision import transforms
from pymx.test_utils import assert_almost_equal


def test_samplers():
    seq = gluon.data.SequentialSampler(10)
    assert len(list(gluon.data.BatchSampler(seq, 3, "keep"))) == 4
    assert len(list(gluon.data.BatchSampler(seq, 3, "discard"))) == 3
    roll = gluon.data.BatchSampler(seq, 3, "rollover")
    assert [len(b) for b in roll] == [3, 3, 3]
    assert len(roll) == 3 and roll._prev == [9]            # the leftover waits
    assert list(roll)[0] == [9, 0, 1]                      # ... and comes first next epoch
    assert sorted(gluon.data.RandomSampler(7)) == list(range(7))
    assert list(gluon.data.SequentialSampler(3, start=4)) == [4, 5, 6]
    with pytest.raises(ValueError, match="last_batch"):     # checked lazily, as MXNet
        len(gluon.data.BatchSampler(seq, 3, "bad"))


def test_dataset_shard_take_filter_transform():
    ds = gluon.data.SimpleDataset(list(range(9)))
    shards = [ds.shard(4, i) for i in range(4)]
    assert [len(s) for s in shards] == [3, 2, 2, 2]
    assert [list(s) for s in shards] == [[0, 1, 2], [3, 4], [5, 6], [7, 8]]
    assert len(ds.take(None)) == 9 and list(ds.take(2)) == [0, 1]
    assert list(ds.transform(lambda x: x * 10).filter(lambda x: x > 50)) == [60, 70, 80]
    pairs = gluon.data.ArrayDataset(np.arange(4), np.arange(4) * 2)
    assert list(pairs.transform_first(lambda x: x + 100)) == [(100, 0), (101, 2), (102, 4),
                                                              (103, 6)]
    eager = ds.transform(lambda x: -x, lazy=False)
    assert isinstance(eager, gluon.data.SimpleDataset) and eager[3] == -3
    with pytest.raises(AssertionError, match="same length"):
        gluon.data.ArrayDataset(np.arange(3), np.arange(4))


def test_array_dataset_and_default_batchify():
    x = np.random.uniform(size=(10, 3))
    y = mx.nd.arange(10)
    ds = gluon.data.ArrayDataset(x, y)
    assert isinstance(ds._data[1], np.ndarray)                 # 1-D NDArray -> numpy
    loader = gluon.data.DataLoader(ds, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert batches[0][0].dtype == np.float64                    # float64 is kept
    assert_almost_equal(batches[2][0].asnumpy(), x[8:])
    assert batches[1][1].asnumpy().tolist() == [4, 5, 6, 7]
    nd_ds = gluon.data.SimpleDataset([mx.nd.ones((2,)) * i for i in range(5)])
    assert gluon.data.DataLoader(nd_ds, 5).__iter__().__next__().shape == (5, 2)


def test_dataloader_arguments():
    ds = gluon.data.SimpleDataset(list(range(10)))
    with pytest.raises(ValueError, match="batch_size must be specified"):
        gluon.data.DataLoader(ds)
    with pytest.raises(ValueError, match="shuffle must not be specified"):
        gluon.data.DataLoader(ds, 2, shuffle=True, sampler=gluon.data.SequentialSampler(10))
    bs = gluon.data.BatchSampler(gluon.data.SequentialSampler(10), 4, "discard")
    with pytest.raises(ValueError, match="must not be specified"):
        gluon.data.DataLoader(ds, 2, batch_sampler=bs)
    assert len(list(gluon.data.DataLoader(ds, batch_sampler=bs))) == 2
    got = np.concatenate([b.asnumpy() for b in gluon.data.DataLoader(ds, 3, shuffle=True)])
    assert sorted(got.tolist()) == list(range(10))
    assert len(gluon.data.DataLoader(ds, 3, last_batch="rollover")) == 3


class _Squares(gluon.data.Dataset):
    def __len__(self):
        return 12

    def __getitem__(self, i):
        if i == 7 and getattr(self, "fail", False):
            raise KeyError("sample 7 is broken")
        return np.float32(i * i), i


@pytest.mark.parametrize("thread_pool", [False, True])
def test_dataloader_workers(thread_pool):
    ds = _Squares()
    loader = gluon.data.DataLoader(ds, batch_size=5, num_workers=2, thread_pool=thread_pool)
    batches = list(loader)
    assert [b[0].shape for b in batches] == [(5,), (5,), (2,)]
    assert np.concatenate([b[0].asnumpy() for b in batches]).tolist() == \
        [float(i * i) for i in range(12)]
    assert batches[0][1].dtype == np.int64 or batches[0][1].dtype == np.int32
    ds.fail = True
    bad = gluon.data.DataLoader(ds, batch_size=5, num_workers=2, thread_pool=thread_pool)
    with pytest.raises(KeyError, match="sample 7 is broken"):
        list(bad)                       # the worker's exception reaches the caller


def _write_idx(path, arr):
    codes = {np.uint8: 0x08}
    with gzip.open(path, "wb") as f:
        f.write(bytes([0, 0, codes[arr.dtype.type], arr.ndim]))
        f.write(struct.pack(">" + "I" * arr.ndim, *arr.shape))
        f.write(arr.tobytes())


def test_mnist_bundled_and_fashion_from_root(tmp_path):
    test = vision.MNIST(train=False)
    assert len(test) == 10000
    img, label = test[0]
    assert img.shape == (28, 28, 1) and img.dtype == np.uint8
    assert isinstance(label, np.int32) and label == 7
    imgs = np.random.randint(0, 255, (3, 28, 28), dtype=np.uint8)
    labels = np.array([1, 2, 3], dtype=np.uint8)
    _write_idx(str(tmp_path / "t10k-images-idx3-ubyte.gz"), imgs)
    _write_idx(str(tmp_path / "t10k-labels-idx1-ubyte.gz"), labels)
    fm = vision.FashionMNIST(root=str(tmp_path), train=False,
                             transform=lambda d, l: (d.astype("float32"), l))
    d, l = fm[2]
    assert len(fm) == 3 and l == 3 and d.dtype == np.float32
    assert_almost_equal(d.asnumpy()[:, :, 0], imgs[2].astype(np.float32))
    with pytest.raises(MXNetError, match="looked in .*nowhere.*root="):
        vision.FashionMNIST(root=str(tmp_path / "nowhere"))
    with pytest.raises(MXNetError, match="dataset-fashion-mnist"):
        vision.FashionMNIST(root=str(tmp_path / "nowhere"), train=True)


def test_transforms():
    img = mx.nd.array(np.arange(2 * 3 * 3).reshape(2, 3, 3), dtype="uint8")
    t = transforms.ToTensor()(img)
    assert t.shape == (3, 2, 3) and t.dtype == np.float32
    assert_almost_equal(t.asnumpy(), img.asnumpy().transpose(2, 0, 1) / 255.0)
    # (MXNet's normalize wants 1 or 3 channels)
    norm = transforms.Normalize(mean=(0.5, 0.25, 0.1), std=(2.0, 4.0, 1.0))(t)
    ref = (t.asnumpy() - np.array([0.5, 0.25, 0.1])[:, None, None]) / \
        np.array([2.0, 4.0, 1.0])[:, None, None]
    assert_almost_equal(norm.asnumpy(), ref, rtol=1e-6)
    comp = transforms.Compose([transforms.Cast("float64"), lambda x: x * 2])
    out = comp(img)
    assert out.dtype == np.float64 and out.asnumpy()[1, 2, 1] == 2 * img.asnumpy()[1, 2, 1]
    batch = mx.nd.ones((4, 5, 6, 3), dtype="uint8")
    assert transforms.ToTensor()(batch).shape == (4, 3, 5, 6)
