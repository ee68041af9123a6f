"""Symbol / Executor / Module / metric behaviour that must match MXNet 1.9.1.

The cases in ``tests/data/mxnet/make_parity_symbolic.py`` run on pymx and are compared
with what they gave on MXNet (``parity_symbolic.json``); the other expectations below
are frozen from MXNet 1.9.1 as literals.
"""
import importlib.util
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError
from pymx.symbol.attr_order import std_hash, unordered_map_order

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
_spec = importlib.util.spec_from_file_location(
    "make_parity_symbolic", os.path.join(DATA, "make_parity_symbolic.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
with open(os.path.join(DATA, "parity_symbolic.json")) as _f:
    FROZEN = json.load(_f)


def _frozen_cases():
    names = [c.__name__ for c in cases.CASES]
    try:
        import graphviz  # noqa: F401
    except ImportError:
        names.remove("plot_network_source")
    return names


@pytest.mark.parametrize("name", _frozen_cases())
def test_matches_frozen_mxnet_output(name):
    with mx.name.NameManager():               # automatic names count from 0
        got = json.loads(json.dumps(getattr(cases, name)(mx)))    # tuples -> lists
    assert got == FROZEN[name]


def test_std_hash_is_libstdcxx_murmur():
    # the bucket of each key (its hash modulo the bucket count) decides MXNet's order
    # frozen from g++'s std::hash<std::string>
    assert [std_hash(k) for k in ("", "kernel", "a_long_key_name_123")] == [
        0x553e93901e462a6e, 0xfe26740cabd74015, 0x433672a51d17bae6]
    assert unordered_map_order(["kernel", "num_filter", "no_bias", "layout"]) == \
        ["layout", "num_filter", "no_bias", "kernel"]          # frozen from MXNet 1.9.1
    assert unordered_map_order(["a", "b", "a"]) == unordered_map_order(["a", "b"])


# ---- infer_shape / infer_type ------------------------------------------------------------
def _mlp():
    data = mx.sym.var("data")
    fc1 = mx.sym.FullyConnected(data, name="fc1", num_hidden=128)
    act = mx.sym.Activation(fc1, name="relu1", act_type="relu")
    return mx.sym.FullyConnected(act, name="fc2", num_hidden=10)


def test_infer_shape_conflict_with_unknown_inputs_raises_and_prints(capsys):
    # MXNet checks fc2_weight against data although fc2_bias is still unknown, and its
    # Python infer_shape prints the arguments before re-raising
    with pytest.raises(MXNetError):
        _mlp().infer_shape(data=(32, 100), fc2_weight=(3, 3))
    assert capsys.readouterr().out == ("infer_shape error. Arguments:\n"
                                       "  data: (32, 100)\n  fc2_weight: (3, 3)\n")
    a, b = mx.sym.var("a"), mx.sym.var("b")
    with pytest.raises(MXNetError):
        (a + b).infer_shape(a=(2, 3), b=(3, 2))
    assert capsys.readouterr().out.startswith("infer_shape error. Arguments:\n  a: (2, 3)")
    assert _mlp().infer_shape_partial(data=(32, 100))[1] == [(32, 10)]


def test_infer_shape_takes_tuples_only():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    for bad in ({"a": [2, 3]}, {"a": (2, 3), "b": None}):
        with pytest.raises(TypeError):
            (a + b).infer_shape(**bad)
        with pytest.raises(TypeError):
            (a + b).infer_shape_partial(**bad)


def test_bind_ignores_unknown_names_in_dicts():
    a = mx.sym.var("a")
    out = mx.sym.exp(a).eval(a=mx.nd.array([0.0]), b=mx.nd.array([1.0]))
    assert out[0].asnumpy().tolist() == [1.0]


# ---- Executor ------------------------------------------------------------------------------
def _softmax_net():
    fc = mx.sym.FullyConnected(mx.sym.var("data"), name="fc1", num_hidden=4)
    return mx.sym.SoftmaxOutput(fc, name="softmax")


def test_grad_dict_lists_null_arguments_as_none():
    exe = _softmax_net().simple_bind(mx.cpu(), data=(3, 5), grad_req="null")
    assert exe.grad_dict == {"data": None, "fc1_weight": None, "fc1_bias": None,
                             "softmax_label": None}
    exe = _softmax_net().simple_bind(mx.cpu(), data=(3, 5), grad_req={
        "data": "null", "fc1_weight": "write", "fc1_bias": "add", "softmax_label": "null"})
    assert sorted((k, v is None) for k, v in exe.grad_dict.items()) == [
        ("data", True), ("fc1_bias", False), ("fc1_weight", False),
        ("softmax_label", True)]


def test_simple_bind_type_dict_is_propagated():
    exe = _softmax_net().simple_bind(mx.cpu(), type_dict={"data": "float64"},
                                     data=(3, 5))
    # frozen from MXNet 1.9.1: every array float64, the label included
    assert {k: v.dtype for k, v in exe.arg_dict.items()} == dict.fromkeys(
        ["data", "fc1_weight", "fc1_bias", "softmax_label"], np.float64)


def test_simple_bind_errors_are_runtime_errors(capsys):
    fc = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    with pytest.raises(RuntimeError):
        fc.simple_bind(mx.cpu())
    with pytest.raises(RuntimeError):
        fc.simple_bind(mx.cpu(), data=(2, 4), fc_weight=(5, 5))
    assert capsys.readouterr().out == ""          # simple_bind prints nothing


def test_bind_forward_and_reshape_error_types():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    with pytest.raises(ValueError):               # an argument array missing
        (a * b).bind(mx.cpu(), args={"a": mx.nd.ones(3)})
    fc = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc")
    exe = fc.simple_bind(mx.cpu(), data=(2, 4))
    with pytest.raises(TypeError):                # unknown argument name
        exe.forward(foo=np.ones((2, 4)))
    with pytest.raises(ValueError):               # shape mismatch
        exe.forward(data=np.ones((3, 4)))
    with pytest.raises(ValueError):               # not an array
        exe.forward(data=[[1, 2, 3, 4]] * 2)
    with pytest.raises(MXNetError):               # growing needs allow_up_sizing
        exe.reshape(data=(8, 4))
    with pytest.raises(MXNetError):               # fc_weight would change shape
        exe.reshape(data=(2, 5))
    assert exe.reshape(partial_shaping=True, data=(2, 2)).arg_dict["fc_weight"].shape \
        == (3, 2)


# ---- Symbol API ------------------------------------------------------------------------------
def test_composition_is_by_keyword_only():
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=4, name="fc")
    x = mx.sym.var("x")
    assert net(data=x).list_arguments() == ["x", "fc_weight", "fc_bias"]
    with pytest.raises(MXNetError):               # "General composition only support kwargs"
        net(x)


def test_group_attributes():
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=4, name="fc")
    g = mx.sym.Group([net, mx.sym.var("x")])
    assert g.attr("num_hidden") is None           # several nodes: no attribute
    assert g.list_attr() == {"num_hidden": "4"}   # the first node's
    with pytest.raises(MXNetError):
        g._set_attr(foo="1")


def test_variable_attribute_strings():
    assert mx.sym.var("v", shape=[1, 2]).attr("__shape__") == "[1, 2]"
    assert mx.sym.var("v", shape=(1, 2)).attr("__shape__") == "(1, 2)"
    with pytest.raises(ValueError):
        mx.sym.var("v", attr={"a": 1})


def test_module_level_binary_functions_compute():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    feed = dict(a=mx.nd.array([1, 5]), b=mx.nd.array([3, 2]))
    assert mx.sym.maximum(a, b).eval(**feed)[0].asnumpy().tolist() == [3, 5]
    assert mx.sym.minimum(a, 2).eval(**feed)[0].asnumpy().tolist() == [1, 2]
    assert mx.sym.pow(2, a).eval(**feed)[0].asnumpy().tolist() == [2, 32]
    assert mx.sym.maximum(2, 3) == 3 and mx.sym.pow(2, 3) == 8
    with pytest.raises(TypeError):
        mx.sym.maximum("a", b)


# ---- metric ------------------------------------------------------------------------------------
def test_metric_create_unknown_name_asserts():
    with pytest.raises(AssertionError):           # MXNet's registry asserts the name
        mx.metric.create("nonexist")


# ---- Module family --------------------------------------------------------------------------
def test_bucketing_module_needs_equal_parameter_shapes():
    # MXNet: a bucket whose parameter shapes differ from the default bucket's cannot
    # share them; its simple_bind fails with a RuntimeError
    def sym_gen(seq_len):
        fl = mx.sym.reshape(mx.sym.var("data"), shape=(-1, seq_len))
        fc = mx.sym.FullyConnected(fl, num_hidden=3, name="fc")
        return mx.sym.SoftmaxOutput(fc, name="softmax"), ("data",), ("softmax_label",)
    mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=5)
    mod.bind([("data", (4, 5))], [("softmax_label", (4,))])
    mod.init_params()
    with pytest.raises(RuntimeError):
        mod.switch_bucket(3, [("data", (4, 3))], [("softmax_label", (4,))])


def test_sequential_module_checks():
    net = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=4, name="fc1")
    with pytest.raises(AssertionError):                  # unknown meta
        mx.mod.SequentialModule().add(mx.mod.Module(net, label_names=None), foo=1)
    seq = mx.mod.SequentialModule()
    seq.add(mx.mod.Module(net, label_names=None))
    seq.add(mx.mod.Module(net, label_names=None), auto_wiring=True)
    seq.bind([("data", (2, 4))])
    assert seq.label_shapes is None and seq.output_shapes == [("fc1_output", (2, 4))]
    with pytest.raises(AssertionError):                  # fc1_weight used twice
        seq.init_params()
