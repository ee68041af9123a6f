"""Symbol construction, names, attributes, inference (notes 1(b), 4 items 20-21)."""
import numpy as np
import pytest

import pymx as mx
import pymx.symbol as sym
from pymx.attribute import AttrScope
from pymx.name import NameManager, Prefix


def mlp():
    data = sym.var("data")
    fc1 = sym.FullyConnected(data, name="fc1", num_hidden=128)
    act1 = sym.Activation(fc1, name="relu1", act_type="relu")
    fc2 = sym.FullyConnected(act1, name="fc2", num_hidden=10)
    return fc1, fc2


def test_compose_and_auto_names():
    _, fc2 = mlp()
    assert fc2.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"]
    assert fc2.list_outputs() == ["fc2_output"]
    with NameManager():
        a = sym.FullyConnected(sym.var("x"), num_hidden=2)
        b = sym.FullyConnected(a, num_hidden=2)
    assert (a.name, b.name) == ("fullyconnected0", "fullyconnected1")
    assert b.list_arguments()[-2:] == ["fullyconnected1_weight", "fullyconnected1_bias"]
    with Prefix("net_"):
        c = sym.Activation(sym.var("x"), act_type="relu")
        d = sym.Activation(sym.var("x"), act_type="relu", name="given")
    assert c.name.startswith("net_activation") and d.name == "net_given"  # MXNet 1.9.1 prefixes given names too


def test_internals_children_and_indexing():
    fc1, fc2 = mlp()
    internals = fc2.get_internals()
    assert "fc1_output" in internals.list_outputs()
    assert internals["fc1_output"].list_arguments() == fc1.list_arguments()
    assert fc2.get_children().list_outputs() == ["relu1_output", "fc2_weight", "fc2_bias"]
    assert sym.var("x").get_children() is None
    split = sym.split(sym.var("x"), num_outputs=3, name="slice")
    assert split.list_outputs() == ["slice_output0", "slice_output1", "slice_output2"]
    assert len(split) == 3 and split[1].list_outputs() == ["slice_output1"]
    assert split["slice_output2"].list_outputs() == ["slice_output2"]
    with pytest.raises(ValueError):
        split["nope"]
    with pytest.raises(IndexError):
        split[3]


def test_batchnorm_aux_and_init_attrs():
    bn = sym.BatchNorm(sym.var("data"), name="bn", fix_gamma=False)
    assert bn.list_arguments() == ["data", "bn_gamma", "bn_beta"]
    assert bn.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    assert bn.list_inputs() == ["data", "bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var"]
    assert bn.list_outputs() == ["bn_output"]
    d = bn.attr_dict()
    assert d["bn_moving_mean"]["__init__"] == '["zero", {}]'
    assert d["bn_moving_var"]["__init__"] == '["one", {}]'
    assert d["bn_gamma"] == {"fix_gamma": "False"}         # copied from the op node


def test_variable_attributes_and_attr_scope():
    v = sym.var("w", shape=(2, 3), lr_mult=2.0, wd_mult=0.5, dtype="float16",
                init=mx.init.Zero(), __extra__=1)
    a = v.list_attr()
    assert a["__shape__"] == "(2, 3)" and a["__dtype__"] == "2" and a["__lr_mult__"] == "2.0"
    assert a["lr_mult"] == "2.0" and v.attr("wd_mult") == "0.5" and a["__extra__"] == "1"
    assert a["__init__"] == '["zero", {}]'
    with pytest.raises(ValueError):
        sym.var("w", foo=1)
    with AttrScope(ctx_group="dev1", lr_mult="0.1"):
        fc = sym.FullyConnected(sym.var("x"), num_hidden=3, name="fc")
    assert fc.attr("ctx_group") == "dev1" and fc.attr("__lr_mult__") == "0.1"
    assert fc.get_internals()["fc_weight"].attr("lr_mult") == "0.1"
    with pytest.raises(ValueError):
        AttrScope(x=1)


def test_arithmetic_is_elementwise_without_broadcasting():
    x, y = sym.var("x"), sym.var("y")
    z = (x + y) * 2 - 1
    ops = [n.op.name for n in z._topo() if n.op]
    assert ops == ["elemwise_add", "_mul_scalar", "_minus_scalar"]
    assert (-x)._outputs[0][0].attrs == {"scalar": "-1.0"}
    assert (1 - x)._outputs[0][0].op.name == "_rminus_scalar"
    out = z.eval(x=mx.nd.array([1, 2]), y=mx.nd.array([3, 4]))[0]
    np.testing.assert_allclose(out.asnumpy(), [7, 11])
    with pytest.raises(mx.MXNetError):
        (x + y).eval(x=mx.nd.ones((2, 3)), y=mx.nd.ones((1, 3)))
    assert (x / y).infer_shape(x=(2, 2))[0] == [(2, 2), (2, 2)]


def test_call_composes_free_variables():
    net1 = sym.FullyConnected(sym.var("data"), name="fc1", num_hidden=10)
    net2 = sym.FullyConnected(sym.var("fc3_data"), name="fc3", num_hidden=4)
    composed = net2(fc3_data=net1, name="composed")
    assert composed.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc3_weight",
                                         "fc3_bias"]
    assert net2.list_arguments()[0] == "fc3_data"               # the original is untouched
    with pytest.raises(mx.MXNetError):
        net2(nothere=net1)


def test_infer_shape_conventions():
    _, fc2 = mlp()
    args, outs, aux = fc2.infer_shape(data=(5, 20))
    assert args == [(5, 20), (128, 20), (128,), (10, 128), (10,)] and outs == [(5, 10)]
    assert aux == []
    assert fc2.infer_shape() == (None, None, None)
    args, outs, _ = fc2.infer_shape_partial()
    assert args[0] == () and outs == [()]


def test_infer_shape_var_shape_and_zero_means_unknown():
    x = sym.var("x", shape=(0, 3))
    y = sym.FullyConnected(x, num_hidden=2, name="fc")
    assert y.infer_shape() == (None, None, None)
    assert y.infer_shape_partial()[0][0] == (0, 3)
    v = sym.var("v", shape=(2, 3))
    assert (v * 2).infer_shape(v=(4, 5))[1] == [(4, 5)]   # the argument overrides __shape__


def test_infer_shape_error_names_node_and_shapes():
    x = sym.var("x")
    w = sym.var("w")
    fc = sym.FullyConnected(x, weight=w, num_hidden=4, no_bias=True, name="fc9")
    with pytest.raises(mx.MXNetError, match=r"fc9.*FullyConnected.*weight.*\(4, 5\).*\(4, 3\)"):
        fc.infer_shape(x=(2, 3), w=(4, 5))
    with pytest.raises(mx.MXNetError, match="not found"):
        fc.infer_shape(nothere=(1,))


def test_infer_type():
    _, fc2 = mlp()
    args, outs, _ = fc2.infer_type(data="float16")
    assert args == [np.float16] * 5 and outs == [np.float16]
    assert fc2.infer_type() == (None, None, None)
    c = sym.Cast(sym.var("x"), dtype="int32")
    assert c.infer_type(x=np.float32)[1] == [np.int32]


def test_group_and_save_load(tmp_path):
    fc1, fc2 = mlp()
    g = sym.Group([fc1, fc2])
    assert g.list_outputs() == ["fc1_output", "fc2_output"]
    assert g.name is None and repr(g).startswith("<Symbol group")
    fname = str(tmp_path / "net-symbol.json")
    g.save(fname)
    back = sym.load(fname)
    assert back.tojson() == g.tojson()
    assert back.list_arguments() == g.list_arguments()


def test_fluent_and_reshape():
    x = sym.var("x")
    y = x.reshape((0, -1)).sum(axis=1)
    assert y.infer_shape(x=(2, 3, 4))[1] == [(2,)]
    assert x.astype("float16").infer_type(x="float32")[1] == [np.float16]


def test_get_symbol_from_tape():
    x = mx.nd.ones((1,))
    x.attach_grad()
    with mx.autograd.record():
        y = x * x + 2 * x - 1
    assert len(mx.autograd.get_symbol(y).list_arguments()) == 1
    z = mx.nd.ones((1,))
    z.attach_grad()
    with mx.autograd.record():
        y = x * x + 2 * z - 1
    s = mx.autograd.get_symbol(y)
    assert len(s.list_arguments()) == 2
    out = s.eval(**{n: mx.nd.array([3.0]) for n in s.list_arguments()})[0]
    assert out.asscalar() == 14.0


def test_symbol_is_not_bool_and_pickles():
    import pickle
    _, fc2 = mlp()
    with pytest.raises(NotImplementedError):
        bool(fc2)
    assert pickle.loads(pickle.dumps(fc2)).tojson() == fc2.tojson()


def test_visualization():
    graphviz = pytest.importorskip("graphviz")
    _, fc2 = mlp()
    dot = mx_viz().plot_network(fc2, shape={"data": (1, 20)})
    assert isinstance(dot, graphviz.Digraph)
    src = dot.source
    assert "fc1" in src and "128" in src and "fc1_weight" not in src
    dot2 = mx_viz().plot_network(fc2, hide_weights=False, node_attrs={"fixedsize": "false"})
    assert "fc1_weight" in dot2.source


def test_print_summary_is_mxnets_table():
    """The printed tables equal MXNet 1.9.1's (frozen by
    tests/data/mxnet/make_print_summary.py), quirks included: the label variable is not
    a previous layer, parameters are counted by MXNet's per-op formulas."""
    import json
    import os
    import sys
    here = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
    sys.path.insert(0, here)
    import make_print_summary as frozen
    want = json.load(open(os.path.join(here, "print_summary.json")))["tables"]
    for name, (sym, shape) in frozen.symbols(mx).items():
        text, ret = frozen.summary(mx, sym, shape)
        assert ret is None
        assert text == want[name], name


def mx_viz():
    import pymx.visualization as viz
    return viz


def test_plot_network_of_an_uninitialized_gluon_block():
    """Gluon writes unknown dims as 0 in ``__shape__``; the shapes given win."""
    from pymx.gluon import nn
    net = nn.HybridSequential()
    net.add(nn.Conv2D(6, 5), nn.Dense(10))
    net.initialize()                          # deferred: weight shape (6, 0, 5, 5)
    dot = mx.viz.plot_network(net(mx.sym.var("data")), shape={"data": (1, 1, 28, 28)})
    assert "6x24x24" in dot.source
