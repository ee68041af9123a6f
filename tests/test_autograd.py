"""``mx.autograd``: the two flags, the tape, ``backward``/``grad``, custom Functions,
higher-order gradients, indexing and in-place writes.

The behaviours follow MXNet 1.9.1's ``tests/python/unittest/test_autograd.py`` (notes
section 4, items 13-19).  Error messages and the in-place rules were checked against
the real MXNet 1.9.1 (``/work/venv-mxnet``); where pymx differs it says so here.
"""
import numpy as np
import pytest

import pymx as mx
from pymx import autograd
from pymx.test_utils import assert_almost_equal


def f64(a):
    return mx.nd.array(a, dtype=np.float64)


def var(a, grad_req="write", dtype=np.float32):
    x = mx.nd.array(a, dtype=dtype)
    x.attach_grad(grad_req)
    return x


# ---- item 13: training vs recording, and Dropout ------------------------------------------
def test_flags_default_off_and_record_sets_both():
    assert not autograd.is_recording() and not autograd.is_training()
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        with autograd.pause():
            assert not autograd.is_recording() and not autograd.is_training()
        with autograd.pause(train_mode=True):
            assert not autograd.is_recording() and autograd.is_training()
    with autograd.record(train_mode=False):
        assert autograd.is_recording() and not autograd.is_training()
    assert not autograd.is_recording() and not autograd.is_training()


def test_dropout_active_only_when_training():
    x = mx.nd.ones((50, 40))
    assert_almost_equal(mx.nd.Dropout(x, p=0.5), x)                 # inference: identity
    with autograd.record():
        y = mx.nd.Dropout(x, p=0.5)
    vals = np.unique(y.asnumpy())
    assert set(vals.tolist()) == {0.0, 2.0}                           # mask / (1 - p)


def test_predict_mode_inside_record_records_but_no_dropout():
    x = var(np.ones((10, 10)))
    with autograd.record():
        with autograd.predict_mode():
            assert autograd.is_recording() and not autograd.is_training()
            y = mx.nd.Dropout(x, p=0.5)
        z = (y * 3).sum()
    assert_almost_equal(y, np.ones((10, 10)))
    z.backward()
    assert_almost_equal(x.grad, np.full((10, 10), 3.0))


def test_train_mode_outside_record_activates_dropout():
    x = mx.nd.ones((40, 40))
    with autograd.train_mode():
        assert autograd.is_training() and not autograd.is_recording()
        y = mx.nd.Dropout(x, p=0.5)
    assert set(np.unique(y.asnumpy()).tolist()) == {0.0, 2.0}
    assert not autograd.is_training()


def test_dropout_gradient_equals_output_for_ones():
    x = var(np.ones((30, 20)))
    with autograd.record():
        y = mx.nd.Dropout(x, p=0.3)
    y.backward()
    assert_almost_equal(x.grad, y)                          # mask * 1/(1-p), as MXNet
    assert (y.asnumpy() == 0).any()


def test_set_recording_and_set_training_return_previous():
    assert autograd.set_recording(True) is False
    assert autograd.set_recording(False) is True
    assert autograd.set_training(True) is False
    assert autograd.set_training(False) is True
    assert not autograd.is_recording() and not autograd.is_training()


def test_scopes_restore_flags_after_an_exception():
    with pytest.raises(RuntimeError):
        with autograd.record():
            raise RuntimeError("boom")
    assert not autograd.is_recording() and not autograd.is_training()


# ---- item 14: several heads, None head gradients --------------------------------------------
def test_multi_head_backward_with_none_head_grad():
    x = var([1.0, 2.0, 3.0])
    with autograd.record():
        a, b, c = x * 2, x * x, mx.nd.exp(x)
    db, dc = mx.nd.array([1.0, 0.5, 2.0]), mx.nd.array([0.0, 1.0, -1.0])
    autograd.backward([a, b, c], [None, db, dc])
    xn = np.array([1.0, 2.0, 3.0])
    want = 2 * np.ones(3) + db.asnumpy() * 2 * xn + dc.asnumpy() * np.exp(xn)
    assert_almost_equal(x.grad, want, rtol=1e-5)


def test_backward_head_grad_shape_mismatch_raises():
    x = var([1.0, 2.0, 3.0])
    with autograd.record():
        y = x * 2
    # MXNet 1.9.1 silently reads the wrong-sized buffer; pymx refuses
    with pytest.raises(mx.MXNetError, match="head gradient has shape"):
        y.backward(mx.nd.array([1.0, 1.0]))


def test_head_grads_count_mismatch_raises():
    x = var([1.0])
    with autograd.record():
        y = x * 2
    with pytest.raises(ValueError, match="heads"):
        autograd.backward([y], [None, None])


# ---- item 15: detach, _fresh_grad ------------------------------------------------------------
def test_fresh_grad_set_by_backward_and_detach_cuts():
    x = var([1.0, 2.0, 3.0])
    assert x._fresh_grad is False
    with autograd.record():
        y = x * 2
    y.backward()
    assert x._fresh_grad is True
    x._fresh_grad = False
    with autograd.record():
        z = x.detach() * x                  # d/dx = detached value only
    z.backward()
    assert_almost_equal(x.grad, [1.0, 2.0, 3.0])
    x.grad[:] = 0
    x._fresh_grad = False
    with autograd.record():
        w = (x.detach() * 3).sum()
    assert w._node is None                  # nothing of x reached w
    with pytest.raises(mx.MXNetError, match="not in a computational graph"):
        w.backward()
    assert_almost_equal(x.grad, np.zeros(3))
    assert x._fresh_grad is False


def test_block_grad_stops_gradient():
    x = var([1.0, 2.0])
    with autograd.record():
        y = mx.nd.BlockGrad(x * x) + x * 3
    y.backward()
    assert_almost_equal(x.grad, [3.0, 3.0])


# ---- item 16: grad_req 'add', retain_graph ----------------------------------------------------
def test_grad_req_add_accumulates_with_retain_graph():
    x = var([1.0, 2.0], grad_req="add")
    with autograd.record():
        y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    assert_almost_equal(x.grad, 2 * 2 * np.array([1.0, 2.0]))
    y.backward()
    assert_almost_equal(x.grad, 3 * 2 * np.array([1.0, 2.0]))


def test_grad_req_write_overwrites():
    x = var([1.0, 2.0])
    with autograd.record():
        y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert_almost_equal(x.grad, [2.0, 4.0])


def test_backward_twice_without_retain_graph_raises():
    x = var([1.0, 2.0])
    with autograd.record():
        y = (x * 3).sum()
    y.backward()
    with pytest.raises(mx.MXNetError, match="retain_graph=True"):
        y.backward()


def test_grad_req_null_gets_no_gradient():
    x = var([1.0, 2.0], grad_req="null")
    w = var([3.0, 4.0])
    assert_almost_equal(x.grad, [0.0, 0.0])        # MXNet: a zero buffer, never written
    with autograd.record():
        y = (x * w).sum()
    y.backward()
    assert_almost_equal(x.grad, [0.0, 0.0])
    assert_almost_equal(w.grad, [1.0, 2.0])


def test_bad_grad_req_raises():
    with pytest.raises(ValueError, match="grad_req"):
        mx.nd.ones(2).attach_grad("sometimes")


# ---- item 17: .grad before attach, intermediates ----------------------------------------------
def test_grad_none_before_attach_and_for_intermediates():
    x = mx.nd.array([1.0, 2.0])
    assert x.grad is None
    x.attach_grad()
    assert_almost_equal(x.grad, [0.0, 0.0])
    with autograd.record():
        y = x * 2
        z = (y * y).sum()
    z.backward()
    assert y.grad is None
    assert_almost_equal(x.grad, 8 * np.array([1.0, 2.0]))


def test_attach_grad_inside_record_is_a_new_variable():
    # MXNet 1.9.1 allows it: the array becomes a variable from that point on
    x = mx.nd.array([1.0, 2.0, 3.0])
    with autograd.record():
        x.attach_grad()
        z = (x * 2).sum()
    z.backward()
    assert_almost_equal(x.grad, [2.0, 2.0, 2.0])


def test_reattach_after_recording_detaches_the_old_graph():
    # as MXNet 1.9.1: the recorded graph belongs to the old variable, the new buffer
    # stays zero
    x = var([1.0, 1.0, 1.0])
    with autograd.record():
        y = x * 2
    x.attach_grad()
    y.backward()
    assert_almost_equal(x.grad, np.zeros(3))


# ---- item 18: grad and higher order ------------------------------------------------------------
def test_grad_returns_new_arrays_and_leaves_dot_grad():
    x = var([1.0, 2.0])
    with autograd.record():
        y = (x * x * x).sum()
    (dx,) = autograd.grad(y, [x])
    assert_almost_equal(dx, 3 * np.array([1.0, 4.0]))
    assert_almost_equal(x.grad, [0.0, 0.0])
    assert dx._node is None                            # create_graph=False


def test_grad_single_variable_and_retain_default():
    x = var([1.0, 2.0])
    with autograd.record():
        y = (x * x).sum()
    out = autograd.grad(y, x)
    assert isinstance(out, list) and len(out) == 1
    with pytest.raises(mx.MXNetError):         # retain_graph defaults to create_graph
        autograd.grad(y, [x])


def test_grad_create_graph_then_backward_second_derivative():
    xn = np.array([0.5, -1.0, 2.0])
    x = var(xn, dtype=np.float64)
    with autograd.record():
        z = mx.nd.exp(x) + x
        (dx,) = autograd.grad(z, [x], create_graph=True)
    assert_almost_equal(dx, np.exp(xn) + 1)
    dx.backward()
    assert_almost_equal(x.grad, np.exp(xn))


def test_grad_unreachable_variable_raises_as_mxnet():
    x, y = var([1.0, 2.0]), var([1.0])
    with autograd.record():
        z = (x * 2).sum()
    # MXNet 1.9.1 counts from 1: "the 1-th variable" is the first one
    with pytest.raises(mx.MXNetError, match="Cannot differentiate with respect to the "
                       "1-th variable because it is unreachable from the outputs."):
        autograd.grad(z, [y], retain_graph=True)
    with pytest.raises(mx.MXNetError, match="the 2-th variable because it is unreachable"):
        autograd.grad(z, [x, y])


def test_grad_of_unmarked_array_raises():
    x, c = var([1.0, 2.0]), mx.nd.array([1.0, 2.0])
    with autograd.record():
        z = (x * c).sum()
    with pytest.raises(mx.MXNetError, match="attach_grad"):
        autograd.grad(z, [c])


def test_backward_on_non_recorded_array_raises():
    x = var([1.0, 2.0])
    y = x * 2                                            # outside record()
    with pytest.raises(mx.MXNetError, match="Cannot differentiate node because it is not "
                       "in a computational graph"):
        y.backward()


# ---- item 19: custom Function ------------------------------------------------------------------
class _SinCos(autograd.Function):
    """Two outputs, ``sin(x) * y`` and ``cos(x) + y``, with save_for_backward."""

    def forward(self, x, y):
        assert not autograd.is_recording()
        self.save_for_backward(x, y)
        return mx.nd.sin(x) * y, mx.nd.cos(x) + y

    def backward(self, da, db):
        x, y = self.saved_tensors
        return da * mx.nd.cos(x) * y - db * mx.nd.sin(x), da * mx.nd.sin(x) + db


def test_custom_function_two_outputs_save_for_backward():
    xn, yn = np.array([0.1, 0.7, -1.2]), np.array([2.0, -1.0, 0.5])
    x, y = var(xn), var(yn)
    with autograd.record():
        a, b = _SinCos()(x, y)
        loss = (a * 3 + b * b).sum()
    loss.backward()
    da, db = 3.0, 2 * (np.cos(xn) + yn)
    assert_almost_equal(x.grad, da * np.cos(xn) * yn - db * np.sin(xn), rtol=1e-5)
    assert_almost_equal(y.grad, da * np.sin(xn) + db, rtol=1e-5)


def test_custom_function_wrong_number_of_gradients_raises():
    class Bad(autograd.Function):
        def forward(self, x, y):
            return x + y

        def backward(self, dy):
            return dy

    x, y = var([1.0]), var([2.0])
    with autograd.record():
        z = Bad()(x, y)
    with pytest.raises(mx.MXNetError, match="returned 1 gradients for 2 inputs"):
        z.backward()


def test_mark_variables():
    x, gx = mx.nd.array([1.0, 2.0, 3.0]), mx.nd.zeros(3)
    y, gy = mx.nd.array([4.0, 5.0, 6.0]), mx.nd.ones(3)
    autograd.mark_variables([x, y], [gx, gy], grad_reqs=["write", "add"])
    with autograd.record():
        z = (x * x * y).sum()
    z.backward()
    assert_almost_equal(gx, 2 * np.array([1.0, 2, 3]) * np.array([4.0, 5, 6]))
    assert_almost_equal(gy, 1 + np.array([1.0, 4, 9]))
    assert x.grad is gx


# ---- indexing ----------------------------------------------------------------------------------
def _grad_of(fn, xn):
    x = var(xn, dtype=np.float64)
    with autograd.record():
        out = fn(x)
    out.backward()
    return x.grad.asnumpy()


XN = np.arange(12.0).reshape(3, 4) / 10


@pytest.mark.parametrize("name, fn, want", [
    ("int", lambda x: x[1] ** 2, np.vstack([0 * XN[0], 2 * XN[1], 0 * XN[2]])),
    ("slice", lambda x: x[:, 1:3] * 3, np.where(np.isin(np.arange(4), [1, 2]), 3.0,
                                                 0.0)[None].repeat(3, 0)),
    ("negative step",
     lambda x: x[::-1, ::2] * mx.nd.array(np.arange(6.0).reshape(3, 2), dtype=x.dtype),
     np.array([[4, 0, 5, 0], [2, 0, 3, 0], [0, 0, 1, 0]], float)),
    ("element", lambda x: x[2, 3] * 5, np.eye(1, 12, 11).reshape(3, 4) * 5),
    ("advanced repeated", lambda x: x[[1, 1, 0], [0, 1, 0]],
     np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]], float)),
    ("take", lambda x: mx.nd.take(x, mx.nd.array([2, 0, 2])),
     np.array([[1.0] * 4, [0] * 4, [2.0] * 4])),
    ("pick", lambda x: mx.nd.pick(x, mx.nd.array([3, 0, 3]), axis=1) * 2,
     np.array([[0, 0, 0, 2], [2, 0, 0, 0], [0, 0, 0, 2]], float)),
    ("gather_nd", lambda x: mx.nd.gather_nd(x, mx.nd.array([[2, 2, 0], [1, 1, 3]])),
     np.array([[0, 0, 0, 1], [0, 0, 0, 0], [0, 2, 0, 0]], float)),
])
def test_gradient_through_indexing(name, fn, want):
    assert_almost_equal(_grad_of(fn, XN.copy()), want)


# ---- in-place writes ---------------------------------------------------------------------------
def test_setitem_into_non_leaf_gradient():
    xn = np.array([1.0, 2.0, 3.0])
    x = var(xn)
    with autograd.record():
        y = x * 2
        y[1:] = x[:2] * 5                      # y = [2 x0, 5 x0, 5 x1]
        z = (y * y).sum()
    z.backward()
    assert_almost_equal(x.grad, [58.0, 100.0, 0.0])


def test_setitem_scalar_into_non_leaf_gradient():
    x = var([1.0, 2.0, 3.0])
    with autograd.record():
        y = x * 2
        y[1] = 7
        z = (y * y).sum()
    z.backward()
    assert_almost_equal(x.grad, [8.0, 0.0, 24.0])


def test_setitem_whole_non_leaf_and_fresh_buffer():
    x = var([1.0, 2.0, 3.0])
    buf = mx.nd.ones((4,))
    with autograd.record():
        y = x * 2
        y[:] = x * x                            # y no longer depends on the old y
        buf[1:] = y                             # a buffer outside the graph joins it
        z = buf.sum()
    z.backward()
    assert_almost_equal(x.grad, [2.0, 4.0, 6.0])


def test_iadd_imul_on_non_leaf():
    xn = np.array([1.0, 2.0, 3.0])
    x = var(xn)
    with autograd.record():
        y = x * 2
        y += x                                  # 3x
        y *= x                                  # 3x^2: the mul reads y's old value
        z = y.sum()
    z.backward()
    assert_almost_equal(x.grad, 6 * xn)


def test_inplace_write_after_a_saving_op_keeps_its_value():
    # exp's gradient reads its output; y += 1 must not change what exp saved
    xn = np.array([0.5, 1.0, 2.0])
    x = var(xn)
    with autograd.record():
        y = mx.nd.exp(x)
        y += 1
        z = (y * 2).sum()
    z.backward()
    assert_almost_equal(x.grad, 2 * np.exp(xn), rtol=1e-5)


def test_out_argument_on_non_leaf():
    xn = np.array([-1.0, 2.0, 3.0])
    x = var(xn)
    with autograd.record():
        y = x * 1
        mx.nd.relu(y, out=y)
        z = (y * y).sum()
    z.backward()
    assert_almost_equal(x.grad, 2 * np.maximum(xn, 0))


@pytest.mark.parametrize("write", [
    lambda x: x.__setitem__(slice(None), 2.0),
    lambda x: x.__setitem__(slice(0, 1), mx.nd.array([5.0])),
    lambda x: x.__iadd__(1.0),
    lambda x: mx.nd.relu(x, out=x),
])
def test_inplace_write_into_variable_raises(write):
    # MXNet 1.9.1: "Assigning to NDArrays that are already in a computational graph ..."
    x = var([1.0, 2.0, 3.0])
    with autograd.record():
        with pytest.raises(mx.MXNetError, match="variable of the recorded graph"):
            write(x)
    assert_almost_equal(x, [1.0, 2.0, 3.0])          # nothing was written


def test_inplace_write_after_read_raises():
    # the product saved y as its input: overwriting y would corrupt its gradient.
    # (MXNet 1.9.1 refuses every in-place write under record(); pymx refuses this one)
    x = var([1.0, 2.0, 3.0])
    with autograd.record():
        y = x * 2
        z = y * y
        with pytest.raises(mx.MXNetError, match="already read"):
            y[:] = 0
        with pytest.raises(mx.MXNetError, match="already read"):
            y += 1
    z.backward()
    assert_almost_equal(x.grad, 8 * np.array([1.0, 2.0, 3.0]))


def test_inplace_write_outside_record_is_free():
    x = var([1.0, 2.0])
    x[:] = 5
    x += 1
    assert_almost_equal(x, [6.0, 6.0])


# ---- get_symbol ------------------------------------------------------------------------------
def test_get_symbol_counts_arguments():
    x, y = var([1.0, 2.0]), var([3.0, 4.0])
    with autograd.record():
        z = mx.nd.exp(x * y) + x
    sym = autograd.get_symbol(z)
    assert len(sym.list_arguments()) == 2


# ---- higher order: second derivatives vs central differences of the first -----------------------
def _first_derivative(fn, xn):
    """d/dx sum(fn(x)) by autograd (create_graph=False), float64, as NumPy."""
    x = var(xn, dtype=np.float64)
    with autograd.record():
        y = fn(x)
    (dx,) = autograd.grad(y, [x])
    return dx.asnumpy()


def _second_derivative(fn, xn, head):
    """d/dx sum(head * d/dx sum(fn(x))) through grad(create_graph=True) then backward."""
    x = var(xn, dtype=np.float64)
    with autograd.record():
        y = fn(x)
        (dx,) = autograd.grad(y, [x], create_graph=True)
    assert dx._node is not None                       # the gradient itself was recorded
    dx.backward(f64(head))
    return x.grad.asnumpy()


def _numeric(f, xn, head, eps=1e-5):
    """Central differences of ``sum(head * f(x))``, element by element."""
    out = np.zeros_like(xn)
    for i in np.ndindex(xn.shape):
        xp, xm = xn.copy(), xn.copy()
        xp[i] += eps
        xm[i] -= eps
        out[i] = (np.sum(head * f(xp)) - np.sum(head * f(xm))) / (2 * eps)
    return out


@pytest.mark.parametrize("name, fn, second", [
    ("exp(x) + x", lambda x: mx.nd.exp(x) + x, np.exp),
    ("sin", mx.nd.sin, lambda x: -np.sin(x)),
    ("tanh", mx.nd.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    ("x*x*x", lambda x: x * x * x, lambda x: 6 * x),
])
def test_second_derivative_elementwise(name, fn, second):
    xn = np.random.uniform(-1.5, 1.5, (3, 4))
    head = np.random.uniform(0.5, 1.5, (3, 4))
    got = _second_derivative(fn, xn, head)
    assert_almost_equal(got, head * second(xn), rtol=1e-7, atol=1e-10)
    assert_almost_equal(got, _numeric(lambda x: _first_derivative(fn, x), xn, head),
                        rtol=1e-5, atol=1e-7)


def test_third_derivative_of_x_cubed():
    x = var([0.5, -1.0, 2.0], dtype=np.float64)
    with autograd.record():
        y = x * x * x
        (d1,) = autograd.grad(y, [x], create_graph=True)
        (d2,) = autograd.grad(d1, [x], create_graph=True)
    d2.backward()
    assert_almost_equal(d1, 3 * np.array([0.25, 1.0, 4.0]))
    assert_almost_equal(d2, 6 * np.array([0.5, -1.0, 2.0]))
    assert_almost_equal(x.grad, [6.0, 6.0, 6.0])


def _mlp_loss(params, label):
    """A small MLP (tanh and relu layers, softmax cross-entropy via log_softmax + pick),
    as a function of its input, with everything else fixed."""
    w1, b1, w2, b2, w3, b3 = params

    def loss(x):
        h = mx.nd.tanh(mx.nd.FullyConnected(x, w1, b1, num_hidden=5))
        h = mx.nd.relu(mx.nd.FullyConnected(h, w2, b2, num_hidden=4))
        z = mx.nd.FullyConnected(h, w3, b3, num_hidden=3)
        return -mx.nd.pick(mx.nd.log_softmax(z), label).mean()
    return loss


def test_second_derivative_of_mlp_loss_wrt_input():
    rng = np.random.RandomState(1)
    shapes = [(5, 6), (5,), (4, 5), (4,), (3, 4), (3,)]
    params = [f64(rng.uniform(-1, 1, s)) for s in shapes]
    for p in params[:2]:
        p.attach_grad()            # variables that are not differentiated: stay constants
    label = f64([0, 2])
    loss = _mlp_loss(params, label)
    xn = rng.uniform(-1, 1, (2, 6))
    head = rng.uniform(0.5, 1.5, (2, 6))
    got = _second_derivative(loss, xn, head)
    want = _numeric(lambda x: _first_derivative(loss, x), xn, head)
    assert np.abs(want).max() > 1e-3                   # the check is not vacuous
    assert_almost_equal(got, want, rtol=1e-5, atol=1e-8)


def test_hessian_vector_product_of_mlp_loss_wrt_weight():
    # the weight's own second derivative goes through _backward_FullyConnected's rule
    rng = np.random.RandomState(2)
    x, label = f64(rng.uniform(-1, 1, (3, 4))), f64([1, 0, 2])
    wn, v = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (3, 4))

    def first(wv):
        w = var(wv, dtype=np.float64)
        with autograd.record():
            z = mx.nd.FullyConnected(mx.nd.tanh(x), w, num_hidden=3, no_bias=True)
            loss = -mx.nd.pick(mx.nd.log_softmax(z), label).sum()
            (dw,) = autograd.grad(loss, [w], create_graph=True)
        return w, dw

    w, dw = first(wn)
    dw.backward(f64(v))
    want = _numeric(lambda a: first(a)[1].asnumpy(), wn, v)
    assert_almost_equal(w.grad, want, rtol=1e-5, atol=1e-8)


def test_grad_with_create_graph_on_data_input_of_dense_layer():
    # FullyConnected skips d(data) when data is not on the tape; with attach_grad it
    # must be computed (and recorded for higher order)
    rng = np.random.RandomState(3)
    x = var(rng.uniform(-1, 1, (2, 3)), dtype=np.float64)
    w = f64(rng.uniform(-1, 1, (4, 3)))
    with autograd.record():
        y = mx.nd.FullyConnected(x, w, num_hidden=4, no_bias=True)
    y.backward()
    assert_almost_equal(x.grad, np.ones((2, 4)) @ w.asnumpy())


def test_attach_grad_null_keeps_a_zero_buffer():
    """MXNet 1.9.1: ``attach_grad(grad_req='null')`` gives ``.grad`` zeros (not None) and
    the array is not a variable (backward through it is an error)."""
    x = mx.nd.ones(3)
    x.attach_grad(grad_req="null")
    assert x.grad.asnumpy().tolist() == [0.0, 0.0, 0.0]
    with mx.autograd.record():
        y = x * 2
    with pytest.raises(mx.MXNetError):
        y.backward()


def test_record_scope_entered_without_with_stays_on():
    """MXNet's scope is an object: ``record().__enter__()`` records until ``__exit__``
    (a generator-based scope would be closed, and recording switched off, at once)."""
    scope = autograd.record()
    autograd.record().__enter__()
    try:
        assert autograd.is_recording() and autograd.is_training()
    finally:
        autograd.set_recording(False)
        autograd.set_training(False)
    with scope:
        assert autograd.is_recording()
    assert not autograd.is_recording()
