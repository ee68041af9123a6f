"""Custom operators written in Python (``mx.operator``, ``pymx/ops/custom.py``).

The expected values, call orders and names were printed by the same script run on real
MXNet 1.9.1 (a two-input, two-output op ``scale2``: ``scaled = a * factor``,
``sum = a + b``)."""
import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError

CALLS = []


class Scale(mx.operator.CustomOp):
    def __init__(self, factor):
        self.factor = factor

    def forward(self, is_train, req, in_data, out_data, aux):
        CALLS.append(("forward", is_train, tuple(req), mx.autograd.is_recording()))
        self.assign(out_data[0], req[0], in_data[0] * self.factor)
        self.assign(out_data[1], req[1], in_data[0] + in_data[1])

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        CALLS.append(("backward", tuple(req), mx.autograd.is_training()))
        self.assign(in_grad[0], req[0], out_grad[0] * self.factor + out_grad[1])
        self.assign(in_grad[1], req[1], out_grad[1])


@mx.operator.register("scale2")
class ScaleProp(mx.operator.CustomOpProp):
    def __init__(self, factor="1"):
        super().__init__(need_top_grad=True)
        CALLS.append(("prop", factor))
        self.factor = float(factor)

    def list_arguments(self):
        return ["a", "b"]

    def list_outputs(self):
        return ["scaled", "sum"]

    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0], in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        CALLS.append(("create", str(ctx), shapes, list(dtypes)))
        return Scale(self.factor)


def test_imperative_forward_and_backward_as_mxnet():
    CALLS.clear()
    x = mx.nd.array([[1., 2.], [3., 4.]])
    y = mx.nd.ones((2, 2))
    x.attach_grad()
    y.attach_grad()
    with mx.autograd.record():
        s, t = mx.nd.Custom(x, y, op_type="scale2", factor=3)
        loss = (s * s).sum() + t.sum()
    loss.backward()
    assert s.asnumpy().tolist() == [[3.0, 6.0], [9.0, 12.0]]
    assert t.asnumpy().tolist() == [[2.0, 3.0], [4.0, 5.0]]
    assert x.grad.asnumpy().tolist() == [[19.0, 37.0], [55.0, 73.0]]
    assert y.grad.asnumpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]
    # MXNet: the keyword reaches the property as a string; create_operator gets list
    # shapes and dtype flags (0 = float32); the user's code runs unrecorded, in training
    assert ("prop", "3") in CALLS
    assert ("create", "cpu(0)", [[2, 2], [2, 2]], [0, 0]) in CALLS
    assert ("forward", 1, ("write", "write"), False) in CALLS
    assert ("backward", ("write", "write"), True) in CALLS


def test_symbol_names_shapes_and_executor():
    sym = mx.sym.Custom(mx.sym.var("x"), mx.sym.var("y"), op_type="scale2", factor=2,
                        name="sc")
    assert sym.list_arguments() == ["x", "y"]
    assert sym.list_outputs() == ["sc_scaled", "sc_sum"]
    assert sym.infer_shape(x=(2, 3), y=(2, 3)) == ([(2, 3), (2, 3)], [(2, 3), (2, 3)], [])
    assert mx.sym.Custom(op_type="scale2", name="au").list_arguments() == ["au_a", "au_b"]
    ex = sym.simple_bind(mx.cpu(), x=(2, 2), y=(2, 2))
    x = mx.nd.array([[1., 2.], [3., 4.]])
    ex.forward(is_train=True, x=x, y=mx.nd.ones((2, 2)))
    ex.backward([mx.nd.ones((2, 2)), mx.nd.ones((2, 2))])
    assert ex.outputs[0].asnumpy().tolist() == [[2.0, 4.0], [6.0, 8.0]]
    assert ex.grad_dict["x"].asnumpy().tolist() == [[3.0, 3.0], [3.0, 3.0]]
    again = mx.sym.load_json(sym.tojson())          # the keyword survives JSON
    assert '"factor": "2"' in sym.tojson() and again.list_outputs() == sym.list_outputs()


def test_gluon_hybridized_block_with_a_custom_op():
    class Net(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return F.Custom(x, x, op_type="scale2", factor=0.5)[0]
    net = Net()
    net.hybridize()
    x = mx.nd.array([2.0, 4.0])
    x.attach_grad()
    with mx.autograd.record():
        y = net(x)
    y.backward()
    np.testing.assert_allclose(y.asnumpy(), [1.0, 2.0])
    # d/dx of (x * 0.5) through input a, and of nothing through b's 'sum' head (zero)
    np.testing.assert_allclose(x.grad.asnumpy(), [0.5, 0.5])


def test_unknown_op_type_and_bad_registration():
    with pytest.raises(MXNetError, match="no custom operator is registered as op_type='nope'"):
        mx.nd.Custom(mx.nd.ones(2), op_type="nope")
    with pytest.raises(MXNetError, match="op_type"):
        mx.nd.Custom(mx.nd.ones(2))
    with pytest.raises(MXNetError, match="CustomOpProp subclass"):
        mx.operator.register("bad")(object)


# ---- MXNet's custom softmax tutorial: a loss whose label shape comes from the data's ----
class _TutorialSoftmax(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        x = in_data[0].asnumpy()
        y = np.exp(x - x.max(axis=1).reshape((x.shape[0], 1)))
        y /= y.sum(axis=1).reshape((x.shape[0], 1))
        self.assign(out_data[0], req[0], mx.nd.array(y))

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        label = in_data[1].asnumpy().ravel().astype(int)
        y = out_data[0].asnumpy()
        y[np.arange(label.shape[0]), label] -= 1.0
        self.assign(in_grad[0], req[0], mx.nd.array(y))


@mx.operator.register("tutorial_softmax")
class _TutorialSoftmaxProp(mx.operator.CustomOpProp):
    def __init__(self):
        super().__init__(need_top_grad=False)

    def list_arguments(self):
        return ["data", "label"]

    def list_outputs(self):
        return ["output"]

    def infer_shape(self, in_shape):
        return [in_shape[0], (in_shape[0][0],)], [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        return _TutorialSoftmax()


def test_tutorial_softmax_infers_the_label_and_needs_no_head_gradient():
    """Frozen from MXNet 1.9.1: simple_bind with only the data's shape (the property
    infers the label's from it) and backward() with no head gradient
    (need_top_grad=False)."""
    out = mx.sym.Custom(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc"),
                        mx.sym.var("label"), op_type="tutorial_softmax", name="sm")
    assert out.infer_shape(data=(4, 5)) == ([(4, 5), (3, 5), (3,), (4,)], [(4, 3)], [])
    ex = out.simple_bind(mx.cpu(), data=(4, 5))
    ex.arg_dict["data"][:] = mx.nd.array(np.linspace(-1, 1, 20).reshape(4, 5))
    ex.arg_dict["fc_weight"][:] = 0.1
    ex.arg_dict["fc_bias"][:] = 0
    ex.arg_dict["label"][:] = mx.nd.array([0, 1, 2, 1])
    np.testing.assert_allclose(ex.forward(is_train=True)[0].asnumpy(), np.full((4, 3), 1 / 3),
                               rtol=1e-6)
    ex.backward()
    np.testing.assert_allclose(ex.grad_dict["fc_weight"].asnumpy(), [
        [0.7193, 0.7544, 0.7895, 0.8246, 0.8596],
        [-0.386, -0.4561, -0.5263, -0.5965, -0.6667],
        [-0.3333, -0.2982, -0.2632, -0.2281, -0.193]], atol=1e-4)
