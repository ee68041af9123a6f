"""``mx.io.CSVIter`` against MXNet 1.9.1's C++ iterator.

The expected batches were printed by MXNet 1.9.1 for the same files (5 lines
``1,2,3 / 4,5,6 / ... / 13,14,15``, labels ``0 1 0 1 1``, batch size 2): with
``round_batch`` the last batch wraps to the start and the next pass continues after the
wrapped lines; without it the short batch keeps stale lines of the previous batch."""
import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError


@pytest.fixture
def files(tmp_path):
    data, label, label2 = tmp_path / "d.csv", tmp_path / "l.csv", tmp_path / "l2.csv"
    data.write_text("1,2,3\n4,5,6\n7,8,9\n10,11,12\n13,14,15\n")
    label.write_text("0\n1\n0\n1\n1\n")
    label2.write_text("0,1\n1,1\n0,0\n1,0\n1,1\n")
    return str(data), str(label), str(label2)


def _pass(it):
    out = [(b.data[0].asnumpy()[:, 0].tolist(), b.label[0].asnumpy().tolist(), b.pad,
            [int(i) for i in b.index]) for b in it]
    it.reset()
    return out


def test_round_batch_wraps_and_the_next_pass_continues(files):
    it = mx.io.CSVIter(data_csv=files[0], data_shape=(3,), label_csv=files[1], batch_size=2)
    assert it.provide_data == [mx.io.DataDesc("data", (2, 3), np.float32)]
    assert [(d.name, d.shape) for d in it.provide_label] == [("softmax_label", (2,))]
    first = [([1.0, 4.0], [0.0, 1.0], 0, [0, 1]), ([7.0, 10.0], [0.0, 1.0], 0, [2, 3]),
             ([13.0, 1.0], [1.0, 0.0], 1, [4, 0])]
    second = [([4.0, 7.0], [1.0, 0.0], 0, [1, 2]), ([10.0, 13.0], [1.0, 1.0], 0, [3, 4])]
    assert [_pass(it) for _ in range(4)] == [first, second, first, second]


def test_without_round_batch_the_short_batch_keeps_stale_lines(files):
    it = mx.io.CSVIter(data_csv=files[0], data_shape=(3,), batch_size=2, round_batch=False)
    want = [([1.0, 4.0], [0.0, 0.0], 0, [0, 1]), ([7.0, 10.0], [0.0, 0.0], 0, [2, 3]),
            ([13.0, 10.0], [0.0, 0.0], 1, [4, 3])]
    assert _pass(it) == want and _pass(it) == want


def test_shapes_dtypes_and_errors(files):
    it = mx.io.CSVIter(data_csv=files[0], data_shape=(3,), label_csv=files[2],
                       label_shape=(2,), batch_size=2, dtype="int32")
    b = next(iter(it))
    assert b.data[0].dtype == np.int32 and b.label[0].shape == (2, 2)
    assert b.label[0].asnumpy().tolist() == [[0, 1], [1, 1]]
    it = mx.io.CSVIter(data_csv=files[0], data_shape=(1, 3), batch_size=3)
    assert [(b.data[0].shape, b.pad) for b in it] == [((3, 1, 3), 0), ((3, 1, 3), 1)]
    with pytest.raises(MXNetError, match="data line 1 .* has 3 values, but data_shape=.4,. "):
        mx.io.CSVIter(data_csv=files[0], data_shape=(4,), batch_size=2)
