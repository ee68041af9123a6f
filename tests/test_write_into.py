"""Destination passing: kernels and operators that write their result into ``out=``.

MXNet's kernels write into the output blob they are given (``kWriteTo``) or over an
input (``kWriteInplace``).  pymx's ``unary``/``binary``/``matmul`` kernels take
``out=``; operators whose forward accepts it (``Op.takes_out``) pass it to their last
kernel, so an in-place update (``sgd_update(w, g, out=w)``) and the executor's planned
blocks need no extra array and no copy.
"""
import numpy as np
import pytest

import pymx as mx
from pymx import autograd, conformance
from pymx.backend import Backend, NumpyBackend, register_backend
from pymx.ops.params import Attrs
from pymx.ops.registry import all_ops, get_op

K = NumpyBackend.reference()
RNG = np.random.RandomState(0)


def test_no_parameter_hides_a_dict_method():
    """``Attrs`` is its own ``__dict__`` (fast ``a.lr``), so a parameter named like a
    dict method (``a.items``) would hide the method."""
    clash = {name for op in all_ops() for name in op.params} & set(dir(dict))
    assert not clash
    a = Attrs({"lr": 0.5})
    assert a.lr == 0.5 and hash(a) == hash(Attrs(lr=0.5))
    with pytest.raises(AttributeError):
        a.wd


@pytest.mark.parametrize("kernel, args", [
    ("unary", ("exp", RNG.rand(3, 4).astype(np.float32))),
    ("unary", ("round", RNG.rand(3, 4).astype(np.float32) * 4)),       # not a ufunc
    ("binary", ("subtract", RNG.rand(3, 4).astype(np.float32), 0.5)),
    ("binary", ("greater", RNG.rand(3, 4).astype(np.float32),
                RNG.rand(3, 4).astype(np.float32))),
    ("matmul", (RNG.rand(3, 5).astype(np.float32), RNG.rand(4, 5).astype(np.float32),
                False, True)),
])
def test_kernels_write_into_out(kernel, args):
    want = getattr(K, kernel)(*args)
    out = np.full(want.shape, np.nan, want.dtype)
    assert getattr(K, kernel)(*args, out=out) is out
    np.testing.assert_array_equal(out, want)


def test_elementwise_kernels_may_overwrite_an_operand():
    x = RNG.rand(5).astype(np.float32)
    want = K.binary("multiply", x, x)
    assert K.binary("multiply", x, x, out=x) is x
    np.testing.assert_array_equal(x, want)
    y = RNG.rand(5).astype(np.float32)
    want = K.unary("sqrt", y)
    K.unary("sqrt", y, out=y)
    np.testing.assert_array_equal(y, want)


def test_a_backend_without_out_gets_it_from_the_base_class():
    class Plain(Backend):
        def unary(self, op, x):                    # written before out= existed
            return NumpyBackend.reference().unary(op, x)

        def setitem(self, x, key, value):
            x[key] = value
    out = np.zeros(3, np.float32)
    assert Plain().unary("exp", np.ones(3, np.float32), out=out) is out
    np.testing.assert_allclose(out, np.e, rtol=1e-6)


@pytest.mark.parametrize("name", ["sgd_update", "sgd_mom_update", "adam_update"])
def test_in_place_update_keeps_the_buffer_and_the_values(name):
    """``out=weight`` writes over the weight's own buffer, with the values the op
    returns when called without ``out``."""
    op = get_op(name)
    n_state = len(op.input_names(op.defaults)) - 2
    w, g = RNG.rand(4, 3).astype(np.float32), RNG.rand(4, 3).astype(np.float32)
    states = [RNG.rand(4, 3).astype(np.float32) for _ in range(n_state)]
    kw = dict(lr=0.1, wd=0.01)
    fn = getattr(mx.nd, name)
    want = fn(mx.nd.array(w), mx.nd.array(g), *[mx.nd.array(s) for s in states], **kw)
    weight = mx.nd.array(w)
    buffer = weight._data
    fn(weight, mx.nd.array(g), *[mx.nd.array(s) for s in states], out=weight, **kw)
    assert weight._data is buffer
    np.testing.assert_array_equal(weight.asnumpy(), want.asnumpy())


def test_out_is_a_new_buffer_or_the_input():
    x = mx.nd.array(RNG.rand(2, 3) - 0.5)
    y = mx.nd.zeros((2, 3))
    buffer = y._data
    mx.nd.relu(x, out=y)
    assert y._data is buffer
    np.testing.assert_array_equal(y.asnumpy(), np.maximum(x.asnumpy(), 0))
    x += y                                    # __iadd__: elemwise_add(x, y, out=x)
    np.testing.assert_array_equal(x.asnumpy(), 2 * y.asnumpy() + np.minimum(
        x.asnumpy() - 2 * y.asnumpy(), 0))


def test_out_of_another_shape_still_raises():
    x = mx.nd.ones((2, 3))
    with pytest.raises(mx.MXNetError, match="out= has shape"):
        mx.nd.exp(x, out=mx.nd.zeros((3, 2)))
    # an op whose result is smaller than its input: out shaped like the input is wrong
    # (a kernel writing into it would broadcast, not fail)
    x = mx.nd.ones((1, 1, 4, 4))
    with pytest.raises(mx.MXNetError, match="out= has shape"):
        mx.nd.Pooling(x, kernel=(2, 2), stride=(2, 2), out=mx.nd.zeros((1, 1, 4, 4)))


def test_recorded_in_place_write_keeps_the_gradient_right():
    """Under ``record()`` the direct path is not taken: the tape must see the write."""
    x = mx.nd.array([1.0, -2.0, 3.0])
    x.attach_grad()
    with autograd.record():
        y = x * 2
        mx.nd.relu(y, out=y)
        z = (y * y).sum()
    z.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [8.0, 0.0, 24.0])


def test_executor_computes_into_its_planned_blocks():
    """FullyConnected, Activation and elementwise ops write straight into their planned
    views; the results equal the imperative ones."""
    data = mx.sym.var("data")
    net = mx.sym.FullyConnected(data, num_hidden=6, name="fc")
    net = mx.sym.Activation(net, act_type="relu", name="act")
    net = mx.sym.elemwise_add(net, net, name="twice") * 0.5
    x = RNG.rand(4, 5).astype(np.float32)
    ex = net.simple_bind(mx.cpu(), data=(4, 5), grad_req="null")
    for name, arr in ex.arg_dict.items():
        if name != "data":
            arr[:] = RNG.rand(*arr.shape)
    ex.arg_dict["data"][:] = x
    got = ex.forward()[0].asnumpy()
    args = {n: a for n, a in ex.arg_dict.items()}
    fc = mx.nd.FullyConnected(args["data"], args["fc_weight"], args["fc_bias"], num_hidden=6)
    np.testing.assert_allclose(got, mx.nd.relu(fc).asnumpy(), rtol=1e-6)


class _WrongOut(NumpyBackend):
    """A backend whose ``binary`` is right, except when it writes into ``out``."""
    name = "wrongout"

    def binary(self, op, a, b, out=None):
        res = super().binary(op, a, b)
        if out is None:
            return res
        out[...] = res + 1
        return out


def test_conformance_checks_the_out_path():
    register_backend("wrongout", _WrongOut)
    r = conformance.check_op("wrongout", "elemwise_add", "float32", 3)
    assert r.status == "fail" and "out=" in r.message, r.message
    assert conformance.check_op("cpu", "elemwise_add", "float32", 3).status == "pass"
