"""``mx.io.ImageRecordIter`` against MXNet 1.9.1's C++ iterator.

The .rec file is five random 6x8 RGB images (``numpy.random.RandomState(0)``) packed
as PNG with labels 0..4 by pymx; MXNet 1.9.1 read the same file, and the values below
are what it printed (pixels, normalization, labels, the round-batch wrap)."""
import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError

pytest.importorskip("PIL")


@pytest.fixture(scope="module")
def rec(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rec")
    rng = np.random.RandomState(0)
    w = mx.recordio.MXIndexedRecordIO(str(folder / "t.idx"), str(folder / "t.rec"), "w")
    for i in range(5):
        img = rng.randint(0, 256, (6, 8, 3)).astype(np.uint8)
        w.write_idx(i, mx.recordio.pack_img((0, float(i), i, 0), img, img_fmt=".png"))
    w.close()
    return str(folder / "t.rec")


def test_batches_labels_and_wrap_as_mxnet(rec):
    it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 6, 8), batch_size=2)
    assert [(d.name, d.shape) for d in it.provide_data] == [("data", (2, 3, 6, 8))]
    assert [(d.name, d.shape) for d in it.provide_label] == [("softmax_label", (2,))]
    got = [(b.label[0].asnumpy().tolist(), b.pad, float(b.data[0].asnumpy()[0, 0, 0, 0]),
            float(b.data[0].asnumpy()[-1].sum())) for b in it]
    assert got == [([0.0, 1.0], 0, 117.0, 17442.0), ([2.0, 3.0], 0, 215.0, 17258.0),
                   ([4.0, 0.0], 1, 137.0, 17783.0)]
    it.reset()
    assert [b.label[0].asnumpy().tolist() for b in it] == [[1.0, 2.0], [3.0, 4.0]]


def test_normalization_resize_crop_and_gray(rec):
    it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 6, 8), batch_size=5,
                               mean_r=10, mean_g=20, mean_b=30, scale=0.5)
    np.testing.assert_allclose(next(iter(it)).data[0].asnumpy()[1, :, 2, 3],
                               [42.0, -8.5, -14.0])
    it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 6, 8), batch_size=5,
                               mean_r=10, mean_g=20, mean_b=30, std_r=2, std_g=4, std_b=5,
                               scale=0.5)
    np.testing.assert_allclose(next(iter(it)).data[0].asnumpy()[1, :, 2, 3],
                               [21.0, -2.125, -2.8], rtol=1e-6)
    it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 4, 4), batch_size=5, resize=5)
    b = next(iter(it))
    assert b.data[0].shape == (5, 3, 4, 4)
    np.testing.assert_allclose(b.data[0].asnumpy()[0, 0],            # OpenCV: within 1
                               [[126, 201, 90, 183], [98, 168, 166, 143],
                                [134, 81, 166, 108], [131, 45, 145, 154]], atol=1)
    it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(1, 6, 8), batch_size=5)
    b = next(iter(it))
    assert b.data[0].shape == (5, 1, 6, 8)
    assert abs(float(b.data[0].asnumpy()[1, 0, 2, 3]) - 30.0) <= 1


def test_shuffle_mirror_and_errors(rec):
    it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 6, 8), batch_size=5,
                               shuffle=True, seed=3, round_batch=False)
    first = sorted(next(iter(it)).label[0].asnumpy().tolist())
    assert first == [0.0, 1.0, 2.0, 3.0, 4.0]                 # a permutation of the file
    plain = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 6, 8), batch_size=5)
    flipped = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 6, 8), batch_size=5,
                                    mirror=True)
    np.testing.assert_array_equal(next(iter(flipped)).data[0].asnumpy(),
                                  next(iter(plain)).data[0].asnumpy()[..., ::-1])
    with pytest.raises(MXNetError, match="smaller than data_shape"):
        next(iter(mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 9, 9),
                                        batch_size=1)))
    with pytest.raises(MXNetError, match="data_shape must be"):
        mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(2, 6, 8), batch_size=1)
