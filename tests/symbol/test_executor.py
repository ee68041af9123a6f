"""Executor: forward/backward equal autograd; grad_req; aux states; memory plan; CachedOp."""
import re

import numpy as np
import pytest

import pymx as mx
import pymx.symbol as sym
from pymx.cached_op import CachedOp
from pymx.symbol.testing import (check_numeric_gradient, check_symbolic_backward,
                                 check_symbolic_forward, simple_forward)


# ---- three networks, written once for F = mx.sym and F = mx.nd ---------------------------
def mlp(F, x, p):
    h = F.Activation(F.FullyConnected(x, p["fc1_weight"], p["fc1_bias"], num_hidden=8,
                                      name="fc1"), act_type="relu", name="relu1")
    return F.FullyConnected(h, p["fc2_weight"], p["fc2_bias"], num_hidden=3, name="fc2")


def lenet(F, x, p):
    h = F.Convolution(x, p["conv1_weight"], p["conv1_bias"], kernel=(3, 3), num_filter=4,
                      name="conv1")
    h = F.Pooling(F.Activation(h, act_type="tanh"), pool_type="max", kernel=(2, 2),
                  stride=(2, 2))
    h = F.Flatten(h)
    return F.FullyConnected(h, p["fc1_weight"], p["fc1_bias"], num_hidden=3, name="fc1")


def resblock(F, x, p):
    h = F.BatchNorm(x, p["bn1_gamma"], p["bn1_beta"], p["bn1_moving_mean"],
                    p["bn1_moving_var"], fix_gamma=False, name="bn1")
    h = F.Convolution(F.Activation(h, act_type="relu"), p["conv1_weight"], kernel=(3, 3),
                      pad=(1, 1), num_filter=2, no_bias=True, name="conv1")
    return h + x


NETS = {
    "mlp": (mlp, (4, 5)),
    "lenet": (lenet, (2, 1, 8, 8)),
    "resblock": (resblock, (3, 2, 4, 4)),
}


def _symbol(name):
    fn, _ = NETS[name]
    data = sym.var("data")
    with mx.name.NameManager():
        probe = fn(sym, data, _AutoVars())
    return probe


class _AutoVars(dict):
    def __missing__(self, key):
        return sym.var(key)


def _bound_values(s, shape, seed=0):
    rng = np.random.RandomState(seed)
    args, _, aux = s.infer_shape(data=shape)
    argv = {n: rng.uniform(-1, 1, size=sh) for n, sh in zip(s.list_arguments(), args)}
    auxv = {n: rng.uniform(0.5, 1.5, size=sh) for n, sh in zip(s.list_auxiliary_states(), aux)}
    return argv, auxv


@pytest.mark.parametrize("net", sorted(NETS))
@pytest.mark.parametrize("req", ["write", "add", "null"])
def test_executor_equals_autograd(net, req):
    fn, shape = NETS[net]
    s = _symbol(net)
    argv, auxv = _bound_values(s, shape)
    dtype = np.float64
    nd_args = {k: mx.nd.array(v, dtype=dtype) for k, v in argv.items()}
    nd_aux = {k: mx.nd.array(v, dtype=dtype) for k, v in auxv.items()}
    grads = {k: mx.nd.array(np.full(v.shape, 0.5), dtype=dtype) for k, v in argv.items()}
    exe = s.bind(mx.cpu(), args=dict(nd_args), args_grad=grads, grad_req=req,
                 aux_states={k: v.copy() for k, v in nd_aux.items()})
    out = exe.forward(is_train=True)[0]
    head = np.random.RandomState(1).uniform(-1, 1, size=out.shape)
    exe.backward(mx.nd.array(head, dtype=dtype))

    # the same network through autograd
    ag = {k: v.copy() for k, v in nd_args.items()}
    ag.update({k: v.copy() for k, v in nd_aux.items()})
    for k in argv:
        ag[k].attach_grad()
    with mx.autograd.record():
        y = fn(mx.nd, ag["data"], ag)
    y.backward(mx.nd.array(head, dtype=dtype))
    np.testing.assert_allclose(out.asnumpy(), y.asnumpy(), rtol=1e-10, atol=1e-12)
    for k in argv:
        got = exe.grad_dict[k].asnumpy() if req != "null" else None
        if req == "write":
            np.testing.assert_allclose(got, ag[k].grad.asnumpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=k)
        elif req == "add":
            np.testing.assert_allclose(got, ag[k].grad.asnumpy() + 0.5, rtol=1e-9,
                                       atol=1e-12, err_msg=k)
        else:
            assert all(g is None for g in exe.grad_dict.values())   # MXNet: name -> None
    for k in auxv:     # running statistics moved once by the backward (none when pruned)
        if req == "null":                # no backward graph: MXNet leaves them too
            np.testing.assert_allclose(exe.aux_dict[k].asnumpy(), auxv[k])
            continue
        np.testing.assert_allclose(exe.aux_dict[k].asnumpy(), ag[k].asnumpy(), rtol=1e-12)
        assert not np.allclose(exe.aux_dict[k].asnumpy(), auxv[k])


def test_aux_states_update_at_backward_as_mxnet_cpu():
    s = sym.BatchNorm(sym.var("data"), name="bn", fix_gamma=False)
    exe = s.simple_bind(mx.cpu(), data=(4, 3))
    exe.arg_dict["data"][:] = np.arange(12).reshape(4, 3)
    exe.forward(is_train=True)
    assert (exe.aux_dict["bn_moving_mean"].asnumpy() == 0).all()    # not yet
    exe.backward(mx.nd.ones((4, 3)))
    np.testing.assert_allclose(exe.aux_dict["bn_moving_mean"].asnumpy(),
                               0.1 * np.arange(12).reshape(4, 3).mean(0), rtol=1e-6)
    exe.forward(is_train=False)
    exe.backward(mx.nd.ones((4, 3)))                                  # no train forward
    np.testing.assert_allclose(exe.aux_dict["bn_moving_mean"].asnumpy(),
                               0.1 * np.arange(12).reshape(4, 3).mean(0), rtol=1e-6)


def test_loss_head_needs_no_out_grads_but_others_do():
    fc = sym.FullyConnected(sym.var("data"), num_hidden=3, name="fc")
    exe = fc.simple_bind(mx.cpu(), data=(2, 4))
    exe.forward(is_train=True)
    with pytest.raises(mx.MXNetError, match="head_gradient is required"):
        exe.backward()
    loss = sym.SoftmaxOutput(fc, name="softmax")
    exe = loss.simple_bind(mx.cpu(), data=(2, 4))
    exe.arg_dict["data"][:] = 1
    exe.arg_dict["fc_weight"][:] = np.random.rand(3, 4)
    exe.arg_dict["softmax_label"][:] = [0, 2]
    exe.forward(is_train=True)
    exe.backward()
    p = exe.outputs[0].asnumpy()
    expected = (p - np.eye(3)[[0, 2]]).T @ np.ones((2, 4))
    np.testing.assert_allclose(exe.grad_dict["fc_weight"].asnumpy(), expected, rtol=1e-5)


def test_dicts_outputs_and_forward_kwargs():
    s = sym.FullyConnected(sym.var("data"), num_hidden=2, name="fc")
    exe = s.simple_bind(mx.cpu(), data=(3, 4), grad_req={"fc_weight": "write"})
    assert sorted(exe.arg_dict) == ["data", "fc_bias", "fc_weight"]
    assert [k for k, g in sorted(exe.grad_dict.items()) if g is not None] == ["fc_weight"]
    assert exe.outputs[0].shape == (3, 2) and list(exe.output_dict) == ["fc_output"]
    out_handle = exe.outputs[0]
    exe.arg_dict["fc_weight"][:] = 1
    exe.forward(data=np.ones((3, 4)))
    assert exe.outputs[0] is out_handle                  # updated in place, as MXNet
    np.testing.assert_allclose(out_handle.asnumpy(), 4)
    with pytest.raises(ValueError):
        exe.forward(data=np.ones((2, 4)))
    with pytest.raises(ValueError):
        s.simple_bind(mx.cpu(), data=(3, 4), grad_req="bogus")


def test_copy_params_from_and_reshape():
    s = sym.FullyConnected(sym.var("data"), num_hidden=2, name="fc")
    exe = s.simple_bind(mx.cpu(), data=(3, 4))
    exe.copy_params_from({"fc_weight": mx.nd.ones((2, 4)), "fc_bias": mx.nd.zeros((2,))})
    with pytest.raises(ValueError):
        exe.copy_params_from({"nothere": mx.nd.ones((1,))})
    exe.copy_params_from({"nothere": mx.nd.ones((1,))}, allow_extra_params=True)
    small = exe.reshape(data=(1, 4))
    assert small.arg_dict["fc_weight"] is exe.arg_dict["fc_weight"]      # shared
    assert small.forward(data=np.ones((1, 4)))[0].asnumpy().tolist() == [[4, 4]]
    with pytest.raises(mx.base.MXNetError):          # MXNet 1.9.1: MXNetError
        exe.reshape(data=(10, 4))
    assert exe.reshape(data=(10, 4), allow_up_sizing=True).outputs[0].shape == (10, 2)


def test_monitor_callback():
    s = sym.Activation(sym.FullyConnected(sym.var("data"), num_hidden=2, name="fc"),
                       act_type="relu", name="act")
    exe = s.simple_bind(mx.cpu(), data=(1, 3))
    seen = []
    exe.set_monitor_callback(lambda name, arr: seen.append((name, arr.shape)))
    exe.forward()
    assert seen == [("fc_output", (1, 2)), ("act_output", (1, 2))]


def test_group2ctx_places_nodes():
    with mx.AttrScope(ctx_group="dev1") if hasattr(mx, "AttrScope") else \
            __import__("pymx.attribute").attribute.AttrScope(ctx_group="dev1"):
        a = sym.var("a") * 2
    with __import__("pymx.attribute").attribute.AttrScope(ctx_group="dev2"):
        b = a + 1
    exe = b.simple_bind(mx.cpu(), a=(2,), group2ctx={"dev1": mx.cpu(0), "dev2": mx.cpu(1)})
    out = exe.forward(a=np.array([1.0, 2.0]))[0]
    assert out.context == mx.cpu(1)
    np.testing.assert_allclose(out.asnumpy(), [3, 5])
    exe.backward(mx.nd.ones((2,), ctx=mx.cpu(1)))
    np.testing.assert_allclose(exe.grad_dict["a"].asnumpy(), [2, 2])


def _total_mb(exe):
    return int(re.search(r"Total (\d+) MB allocated\n$", exe.debug_str()).group(1))


def test_zero_prop_memory():
    data = sym.var("data")
    for _ in range(10):
        data = data * data
    big = _total_mb(data.simple_bind(mx.cpu(), data=(10, 3, 256, 256)))
    small1 = _total_mb(data.simple_bind(mx.cpu(), data=(10, 3, 256, 256), grad_req="null"))
    small2 = _total_mb(sym.stop_gradient(data).simple_bind(mx.cpu(), data=(10, 3, 256, 256)))
    assert big > small2
    assert small1 == small2


def test_debug_str_lists_backward_nodes():
    s = sym.SoftmaxOutput(sym.FullyConnected(sym.var("data"), num_hidden=2, name="fc"),
                          name="softmax")
    text = s.simple_bind(mx.cpu(), data=(2, 3)).debug_str()
    assert "Op:_backward_FullyConnected" in text and "Op:FullyConnected, Name=fc" in text
    assert text.rstrip().splitlines()[-1].startswith("Total ")


def test_symbolic_helpers():
    x, y = sym.var("x"), sym.var("y")
    s = sym.elemwise_mul(x, y) + sym.sin(x)
    a, b = np.random.rand(2, 3), np.random.rand(2, 3)
    check_symbolic_forward(s, [a, b], [a * b + np.sin(a)], rtol=1e-5)
    check_symbolic_forward(s, {"x": a, "y": b}, {s.list_outputs()[0]: a * b + np.sin(a)},
                           rtol=1e-5)
    og = np.random.rand(2, 3)
    for req in ("write", "add", "null"):
        check_symbolic_backward(s, [a, b], [og], [og * (b + np.cos(a)), og * a],
                                grad_req=req, rtol=1e-5, atol=1e-6)
    check_numeric_gradient(s, [a, b])
    np.testing.assert_allclose(simple_forward(s, x=a, y=b), a * b + np.sin(a), rtol=1e-6)
    with pytest.raises(AssertionError):
        check_symbolic_forward(s, [a, b], [a * b], rtol=1e-5)


def test_numeric_gradient_of_networks():
    s = _symbol("lenet")
    argv, _ = _bound_values(s, (1, 1, 6, 6))
    check_numeric_gradient(s, argv, grad_nodes=["conv1_weight", "fc1_bias"])
    s = _symbol("resblock")
    argv, auxv = _bound_values(s, (2, 2, 3, 3))
    check_numeric_gradient(s, argv, aux_states=auxv, grad_nodes=["bn1_gamma", "data"])


def test_symbol_gradient_of_loss():
    fc = sym.FullyConnected(sym.var("data"), num_hidden=2, name="fc")
    loss = sym.MakeLoss(sym.sum(fc)) if hasattr(sym, "MakeLoss") else None
    if loss is None:
        pytest.skip("MakeLoss not registered")
    g = loss.gradient(["fc_weight"])
    out = g.eval(data=mx.nd.ones((3, 4)), fc_weight=mx.nd.ones((2, 4)), fc_bias=mx.nd.zeros(2))
    np.testing.assert_allclose(out[0].asnumpy(), 3 * np.ones((2, 4)))


# ---- CachedOp ------------------------------------------------------------------------------
def test_cached_op_is_one_tape_node_and_matches_autograd():
    s = _symbol("resblock")
    argv, auxv = _bound_values(s, (3, 2, 4, 4))
    op = CachedOp(s, {"static_alloc": True})
    values = {**argv, **auxv}
    arrays = [mx.nd.array(values[n], dtype=np.float64) for n in s.list_inputs()]
    ref = {n: mx.nd.array(values[n], dtype=np.float64) for n in s.list_inputs()}
    for i, n in enumerate(s.list_inputs()):
        if n in argv:
            arrays[i].attach_grad()
            ref[n].attach_grad()
    with mx.autograd.record():
        y = op(*arrays)
        loss = (y * y).sum()
    loss.backward()
    with mx.autograd.record():
        y2 = resblock(mx.nd, ref["data"], ref)
        loss2 = (y2 * y2).sum()
    loss2.backward()
    np.testing.assert_allclose(y.asnumpy(), y2.asnumpy(), rtol=1e-10)
    for i, n in enumerate(s.list_inputs()):
        if n in argv:
            np.testing.assert_allclose(arrays[i].grad.asnumpy(), ref[n].grad.asnumpy(),
                                       rtol=1e-8, atol=1e-12, err_msg=n)
        else:               # aux updated in the training forward, as imperative pymx
            np.testing.assert_allclose(arrays[i].asnumpy(), ref[n].asnumpy(), rtol=1e-12)
    assert y._node[0].op.name.startswith("CachedOp")                 # one node


def test_cached_op_reads_training_flag_per_call_and_reuses_program():
    s = sym.Dropout(sym.var("data"), p=0.5)
    op = CachedOp(s)
    x = mx.nd.ones((100,))
    assert (op(x).asnumpy() == 1).all()                     # predict mode: identity
    with mx.autograd.train_mode():
        out = op(x).asnumpy()
    assert set(np.unique(out)) <= {0.0, 2.0} and (out == 0).any()
    assert len(op._cache) == 1
    op(mx.nd.ones((7,)))
    assert len(op._cache) == 1                              # rebuilt for the new shape
