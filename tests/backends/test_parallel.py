"""``pymx/backend/parallel.py``: kernels split over the batch and run on all cores."""
import numpy as np
import pytest

import pymx as mx
from pymx import autograd
from pymx.backend import parallel
from pymx.backend.numpy_backend import NumpyBackend


@pytest.mark.parametrize("threads, n, min_part, parts", [
    ("2", 64, 1, 2), ("3", 10, 1, 3), ("4", 3, 1, 3), ("2", 1, 1, 1), ("2", 0, 1, 1),
    ("1", 64, 1, 1), ("4", 64, 20, 3)])
def test_parts_cover_the_range_in_order(monkeypatch, threads, n, min_part, parts):
    monkeypatch.setenv("PYMX_NUM_THREADS", threads)
    monkeypatch.setattr(parallel, "_blas_may_spin", lambda: False)
    got = parallel.parallel_for(lambda s: list(range(n))[s], n, min_part)
    assert len(got) == parts
    assert sum(got, []) == list(range(n))


def test_blas_threads_come_back_even_after_an_error(monkeypatch):
    monkeypatch.setenv("PYMX_NUM_THREADS", "2")
    monkeypatch.setattr(parallel, "_blas_may_spin", lambda: False)
    before = [c.get_num_threads() for c in parallel._blas_controllers()]
    seen = []

    def part(s):
        seen.extend(c.get_num_threads() for c in parallel._blas_controllers())
        if s.start == 0:
            raise ValueError("boom")
        return s
    with pytest.raises(ValueError, match="boom"):
        parallel.parallel_for(part, 8)
    assert all(n == 1 for n in seen)                 # one BLAS thread inside
    assert [c.get_num_threads() for c in parallel._blas_controllers()] == before


def test_spinning_blas_threads_turn_the_pool_off(monkeypatch):
    monkeypatch.setenv("PYMX_NUM_THREADS", "2")
    monkeypatch.setattr(parallel, "_blas_may_spin", lambda: True)
    assert len(parallel.parallel_for(lambda s: s, 64)) == 1


@pytest.mark.parametrize("pad, stride", [((0, 0), (1, 1)), ((1, 2), (2, 1))])
def test_parallel_convolution_equals_one_part(monkeypatch, pad, stride):
    """The batch split gives the single-part result (dw and db are sums of parts)."""
    monkeypatch.setattr(parallel, "_blas_may_spin", lambda: False)
    rng = np.random.RandomState(0)
    x = rng.rand(7, 6, 9, 8).astype(np.float32)
    w = rng.rand(4, 6, 3, 3).astype(np.float32)
    b = rng.rand(4).astype(np.float32)
    k = NumpyBackend.reference()
    results = {}
    for threads in ("1", "3"):
        monkeypatch.setenv("PYMX_NUM_THREADS", threads)
        y = k.conv2d(x, w, b, stride, pad, (1, 1))
        dy = np.ones_like(y)
        results[threads] = (y,) + k.conv2d_backward(dy, x, w, stride, pad, (1, 1), True)
    for one, three in zip(results["1"], results["3"]):
        np.testing.assert_allclose(three, one, rtol=1e-5)


def test_lenet_layer_gradients_do_not_depend_on_the_threads(monkeypatch):
    monkeypatch.setattr(parallel, "_blas_may_spin", lambda: False)
    rng = np.random.RandomState(1)
    grads = {}
    for threads in ("1", "2"):
        monkeypatch.setenv("PYMX_NUM_THREADS", threads)
        x = mx.nd.array(rng.rand(16, 20, 12, 12) if threads == "1" else grads["x"])
        w = mx.nd.array(rng.rand(50, 20, 5, 5) if threads == "1" else grads["w"])
        grads.setdefault("x", x.asnumpy())
        grads.setdefault("w", w.asnumpy())
        x.attach_grad()
        w.attach_grad()
        with autograd.record():
            y = mx.nd.Convolution(x, w, kernel=(5, 5), num_filter=50, no_bias=True)
        y.backward()
        grads[threads] = (y.asnumpy(), x.grad.asnumpy(), w.grad.asnumpy())
    for one, two in zip(grads["1"], grads["2"]):
        np.testing.assert_allclose(two, one, rtol=1e-5)


def test_a_forked_child_gets_its_own_pool(monkeypatch):
    """After fork the parent's pool threads do not exist in the child: the child must
    start a new pool instead of waiting forever on the old one."""
    import os
    monkeypatch.setenv("PYMX_NUM_THREADS", "2")
    monkeypatch.setattr(parallel, "_blas_may_spin", lambda: False)
    parallel.parallel_for(lambda s: s, 8)                 # the parent's pool exists
    pid = os.fork()
    if pid == 0:                                          # child: must not hang
        ok = False
        try:
            ok = parallel.parallel_for(lambda s: s.stop - s.start, 8) == [4, 4]
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
