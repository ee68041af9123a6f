"""The smaller helpers of ``mx.test_utils`` that MXNet users' own tests call; each
behaves as MXNet 1.9.1's (values checked against it by hand: the defaults of
``get_atol``/``get_rtol`` are float64's, ``np_reduce`` reduces the last axis first)."""
import sys

import numpy as np
import pytest

import pymx as mx
from pymx import test_utils as tu


def test_tolerances():
    assert tu.get_atol() == 1e-20 and tu.get_rtol() == 1e-5
    assert tu.get_atol(0.5) == 0.5 and tu.get_rtol(dtype=np.dtype("float16")) == 1e-2
    assert tu.get_etol() == 0
    assert tu.get_tols(mx.nd.ones(2), np.ones(2, dtype="float16"), None, None) == (1e-2, 1e-1)
    assert tu.get_tols(np.ones(2), np.ones(2), 1e-3, {np.dtype("float64"): 0.5}) == (1e-3, 0.5)
    assert tu.effective_dtype(mx.nd.ones(2)) == np.float32
    assert tu.default_dtype() is np.float32
    assert tu.default_numeric_eps()[np.dtype("float32")] == 2.0 ** -9


def test_np_reduce_and_collapse_sum_like():
    a = np.arange(24.).reshape(2, 3, 4)
    np.testing.assert_array_equal(tu.np_reduce(a, (0, 2), True, np.sum),
                                  a.sum(axis=(0, 2), keepdims=True))
    np.testing.assert_array_equal(tu.np_reduce(a, None, False, np.max), 23.)
    np.testing.assert_array_equal(tu.collapse_sum_like(a, (3, 1)),
                                  a.sum(axis=(0, 2)).reshape(3, 1))
    assert tu.collapse_sum_like(np.zeros((0, 3)), (1, 3)).shape == (1, 3)


def test_comparisons():
    tu.assert_almost_equal_ignore_nan(np.array([1., np.nan]), np.array([1., 5.]))
    with pytest.raises(AssertionError):
        tu.assert_allclose(np.ones(2), np.ones(2) + 1e-5)
    tu.compare_ndarray_tuple((mx.nd.ones(2), (np.zeros(1),)), (np.ones(2), (np.zeros(1),)))
    x = mx.nd.zeros(3)
    assert tu.same_array(x, x[:]) and not tu.same_array(x, x.copy())
    assert (x.asnumpy() == 0).all()


def test_small_generators():
    assert tu.list_gpus() == range(mx.context.num_gpus())
    assert sorted(tu.random_sample(list(range(5)), 5)) == list(range(5))
    x, y = tu.rand_coord_2d(0, 3, 5, 6)
    assert 0 <= x < 3 and y == 5
    assert tu.create_vector(4).asnumpy().tolist() == [0, 1, 2, 3]
    assert tu.create_2d_tensor(2, 3).asnumpy().tolist() == [[0, 0, 0], [1, 1, 1]]


def test_retry_and_discard_stderr(capfd):
    calls = []

    @tu.retry(3)
    def flaky():
        calls.append(1)
        assert len(calls) == 2
    flaky()
    assert len(calls) == 2
    with tu.discard_stderr():
        print("hidden", file=sys.stderr, flush=True)
    assert "hidden" not in capfd.readouterr().err


def test_get_mnist_iterator_reads_the_bundled_copy():
    train, val = tu.get_mnist_iterator(batch_size=100, input_shape=(784,))
    batch = next(iter(val))
    assert batch.data[0].shape == (100, 784) and batch.label[0].shape == (100,)
    train, _ = tu.get_mnist_iterator(batch_size=10, input_shape=(1, 28, 28))
    assert train.provide_data[0].shape == (10, 1, 28, 28)


def test_get_mnist_has_mxnets_dtypes():
    """Frozen from MXNet 1.9.1's ``get_mnist``: float32 images in [0, 1], int8 labels
    (the IDX bytes), which ``NDArrayIter`` turns into float32 batches."""
    m = tu.get_mnist()
    assert m["train_data"].shape == (60000, 1, 28, 28) and m["train_data"].dtype == np.float32
    assert m["test_label"].shape == (10000,) and m["train_label"].dtype == np.int8
    assert m["train_label"][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    it = mx.io.NDArrayIter(m["train_data"][:4], m["train_label"][:4], 2)
    assert it.provide_label[0].dtype == np.float32
