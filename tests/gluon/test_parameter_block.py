"""Parameter, ParameterDict, Block, HybridBlock (imperative and hybridized), SymbolBlock.

Behaviours follow MXNet 1.9.1's tests/python/unittest/test_gluon.py (notes section 4,
items 26-36) and the deferred-init complaints of section 5.
"""
import os
import warnings

import numpy as np
import pytest

import pymx as mx
from pymx import autograd, gluon
from pymx import symbol as sym  # (mx.sym once pymx registers it)
from pymx.gluon import nn
from pymx.test_utils import assert_almost_equal


# ---- Parameter -----------------------------------------------------------------------
def test_parameter_multi_ctx_and_reset():
    p = gluon.Parameter("weight", shape=(10, 10))
    p.initialize(init="xavier", ctx=[mx.cpu(0), mx.cpu(1)])
    assert len(p.list_data()) == 2 and len(p.list_grad()) == 2
    assert p.data(mx.cpu(1)).context == mx.cpu(1)
    assert p.list_ctx() == [mx.cpu(0), mx.cpu(1)]
    assert_almost_equal(p.data(mx.cpu(0)).asnumpy(), p.data(mx.cpu(1)).asnumpy())
    p.reset_ctx(ctx=[mx.cpu(1), mx.cpu(2)])
    assert p.list_ctx() == [mx.cpu(1), mx.cpu(2)]
    with pytest.raises(RuntimeError, match="was not initialized on context cpu\\(0\\)"):
        p.data(mx.cpu(0))


def test_parameter_errors_and_warnings():
    p = gluon.Parameter("w", shape=(2, 3))
    with pytest.raises(RuntimeError, match="'w' has not been initialized"):
        p.data()
    p.initialize()
    with pytest.warns(UserWarning, match="already initialized"):
        p.initialize()
    with pytest.raises(ValueError, match="invalid shape"):
        gluon.Parameter("v", shape=(0, 3)).initialize()
    with pytest.raises(AssertionError, match="grad_req"):     # as MXNet 1.9.1
        gluon.Parameter("u", grad_req="sometimes")


def test_parameter_grad_req_null_drops_buffers():
    net = nn.Dense(3, in_units=2)
    net.initialize()
    params = net.collect_params()
    params.setattr("grad_req", "null")
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        net.weight.grad()
    params.setattr("grad_req", "write")
    assert (net.weight.grad().asnumpy() == 0).all()
    x = mx.nd.ones((4, 2))
    with autograd.record():
        y = net(x)
    y.backward()
    assert_almost_equal(net.weight.grad().asnumpy(), np.full((3, 2), 4.0))


def test_parameter_set_data_cast_zero_grad_var():
    p = gluon.Parameter("w", shape=(2,), init="ones")
    p.initialize()
    p.set_data(mx.nd.array([3, 4]))
    assert p.data().asnumpy().tolist() == [3, 4]
    p.grad()[:] = 5
    p.zero_grad()
    assert p.grad().asnumpy().tolist() == [0, 0]
    p.cast("float64")
    assert p.data().dtype == np.float64 and p.grad().dtype == np.float64
    v = p.var()
    assert v.name == "w" and v.attr("__shape__") == "(2,)"


def test_constant():
    c = gluon.Constant("c", [[1, 2], [3, 4]])
    c.initialize()
    assert c.grad_req == "null"
    assert c.data().asnumpy().tolist() == [[1, 2], [3, 4]]
    with pytest.warns(UserWarning, match="does not support grad_req"):
        c.grad_req = "write"
    assert c.grad_req == "null"

    class Net(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            self.c = self.params.get_constant("const", [1.0, 2.0])

        def hybrid_forward(self, F, x, c):
            return F.broadcast_add(x, c)

    net = Net()
    net.initialize()
    assert net(mx.nd.zeros((1, 2))).asnumpy().tolist() == [[1, 2]]


def test_parameter_dict(tmp_path):
    pd = gluon.ParameterDict("net_")
    w = pd.get("weight", shape=(3, 0))
    assert w.name == "net_weight" and pd.get("weight") is w
    assert pd.get("weight", shape=(3, 4)).shape == (3, 4)       # 0 is filled in
    with pytest.raises(AssertionError, match="does not match"):
        pd.get("weight", shape=(5, 4))
    pd.get("bias", shape=(3,), init="ones")
    pd.initialize(mx.init.Uniform(1.0))
    shared = gluon.ParameterDict("net_", shared=pd)
    assert shared.get("weight") is w
    fname = str(tmp_path / "pd.params")
    pd.save(fname, strip_prefix="net_")
    assert sorted(mx.nd.load(fname)) == ["bias", "weight"]
    other = gluon.ParameterDict("net_")
    other.get("weight", shape=(3, 4))
    other.get("bias", shape=(3,))
    other.load(fname, restore_prefix="net_")
    assert_almost_equal(other["net_weight"].data().asnumpy(), w.data().asnumpy())
    with pytest.raises(ValueError, match="striped"):
        pd.save(fname, strip_prefix="other_")
    extra = gluon.ParameterDict("net_")
    extra.get("weight", shape=(3, 4))
    with pytest.raises(AssertionError, match="'bias' loaded from .* not present"):
        extra.load(fname, restore_prefix="net_")
    extra.load(fname, restore_prefix="net_", ignore_extra=True)
    missing = gluon.ParameterDict("net_")
    missing.get("gamma", shape=(3,))
    with pytest.raises(AssertionError, match="'gamma' is missing"):
        missing.load(fname, restore_prefix="net_", ignore_extra=True)


# ---- deferred initialization ------------------------------------------------------------
def test_deferred_init_shapes_inferred():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(5, 3), nn.BatchNorm(), nn.Dense(7))
    net.initialize()
    with pytest.raises(gluon.DeferredInitializationError) as err:
        net[0].weight.data()
    msg = str(err.value)
    assert net[0].weight.name in msg and "in_units" in msg and "in_channels" in msg
    net(mx.nd.ones((2, 4, 6, 6)))
    assert net[0].weight.shape == (5, 4, 3, 3)
    assert net[1].gamma.shape == (5,) and net[1].running_var.shape == (5,)
    assert net[2].weight.shape == (7, 5 * 4 * 4)


def test_deferred_init_user_block_symbolic_inference():
    class Scale(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.w = self.params.get("w", shape=(3, 0), allow_deferred_init=True)

        def hybrid_forward(self, F, x, w):
            return F.FullyConnected(x, w, no_bias=True, num_hidden=3)

    b = Scale()
    b.initialize(mx.init.One())
    out = b(mx.nd.ones((2, 4)))
    assert b.w.shape == (3, 4)
    assert out.asnumpy().tolist() == [[4, 4, 4]] * 2


def test_unused_deferred_param_names_itself():
    p = gluon.Parameter("lonely_weight", shape=(0, 2), allow_deferred_init=True)
    p.initialize()
    with pytest.raises(gluon.DeferredInitializationError, match="lonely_weight"):
        p.data()


# ---- Block --------------------------------------------------------------------------------
def test_prefixes_and_collect_params():
    class Model(gluon.Block):
        def __init__(self, **kw):
            super().__init__(**kw)
            with self.name_scope():
                self.dense0 = nn.Dense(2, in_units=2)
                self.dense1 = nn.Dense(2, in_units=2)

        def forward(self, x):
            return self.dense1(self.dense0(x))

    m = Model(prefix="model0_")
    assert m.dense0.prefix == "model0_dense0_" and m.dense1.name == "model0_dense1"
    assert list(m.collect_params().keys()) == [
        "model0_dense0_weight", "model0_dense0_bias", "model0_dense1_weight",
        "model0_dense1_bias"]
    assert list(m.collect_params(".*weight").keys()) == ["model0_dense0_weight",
                                                         "model0_dense1_weight"]
    a, b = nn.Dense(1), nn.Dense(1)
    na, nb = int(a.name[5:]), int(b.name[5:])           # global counters: denseN, denseN+1
    assert a.name.startswith("dense") and nb == na + 1
    conv = nn.Conv2D(3, 3, prefix="test_conv0_")
    assert list(conv.collect_params("test_conv0_weight").keys()) == ["test_conv0_weight"]


def test_parameter_sharing_and_structural_save_load(tmp_path):
    class Net(gluon.HybridBlock):
        def __init__(self, **kw):
            super().__init__(**kw)
            with self.name_scope():
                self.dense0 = nn.Dense(5, in_units=5)
                self.dense1 = nn.Dense(5, in_units=5)

        def hybrid_forward(self, F, x):
            return self.dense1(self.dense0(x))

    net1 = Net(prefix="net1_")
    net2 = Net(prefix="net2_", params=net1.collect_params())
    net1.collect_params().initialize()
    x = mx.nd.ones((3, 5))
    assert_almost_equal(net1(x).asnumpy(), net2(x).asnumpy())
    fname = str(tmp_path / "net1.params")
    net1.save_parameters(fname)
    assert sorted(mx.nd.load(fname)) == ["dense0.bias", "dense0.weight", "dense1.bias",
                                         "dense1.weight"]
    net3 = Net(prefix="net3_")                  # another prefix: structural names load
    net3.load_parameters(fname)
    assert_almost_equal(net3(x).asnumpy(), net1(x).asnumpy())
    # legacy full-name files load through collect_params().load
    legacy = str(tmp_path / "legacy.params")
    with pytest.warns(UserWarning, match="deprecated"):
        net1.save_params(legacy)                # full names minus the prefix
    net4 = Net(prefix="net1_")
    net4.load_parameters(legacy)
    assert_almost_equal(net4(x).asnumpy(), net1(x).asnumpy())
    small = nn.Dense(5, in_units=5)
    with pytest.raises(ValueError, match="not present"):
        small.load_parameters(fname, allow_missing=True)
    big = Net()
    big.dense2 = nn.Dense(1, in_units=5)
    with pytest.raises(AssertionError, match="'dense2.weight' is missing"):
        big.load_parameters(fname)
    big.load_parameters(fname, allow_missing=True)


def test_hooks_apply_cast_summary(capsys):
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(4, in_units=3, activation="relu"), nn.Dense(2, in_units=4))
    net.initialize()
    seen = []
    h1 = net[0].register_forward_pre_hook(lambda blk, inp: seen.append(("pre", blk.name)))
    h2 = net[0].register_forward_hook(lambda blk, inp, out: seen.append(("post", out.shape)))
    net(mx.nd.ones((5, 3)))
    assert seen == [("pre", net[0].name), ("post", (5, 4))]
    h1.detach()
    h2.detach()
    net(mx.nd.ones((5, 3)))
    assert len(seen) == 2
    names = []
    net.apply(lambda b: names.append(b.name))
    assert names[-1] == net.name and len(names) == 4       # 2 dense + relu act + self
    net.cast("float64")
    assert net[0].weight.dtype == "float64"             # as given, like MXNet
    assert net(mx.nd.ones((5, 3), dtype="float64")).dtype == np.float64
    net.cast("float32")
    net.summary(mx.nd.ones((5, 3)))
    out = capsys.readouterr().out
    assert "Activation-1" in out and "Dense-2" in out and "(5, 4)" in out and "Total params: 26" in out


def test_sequential_indexing_and_unregistered_warning():
    net = nn.Sequential()
    net.add(nn.Dense(3), nn.Dense(4), nn.Dense(5))
    assert len(net) == 3 and isinstance(net[1], nn.Dense)
    assert len(net[1:]) == 2

    class Hidden(gluon.Block):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Dense(2)]

        def forward(self, x):
            return x

    with pytest.warns(UserWarning, match="unregistered container"):
        Hidden().collect_params()
    with pytest.raises(ValueError, match="HybridSequential"):
        nn.HybridSequential().add(nn.Sequential())


def test_changing_attribute_type_raises():
    net = nn.Dense(2)
    with pytest.raises(TypeError, match="Changing attribute type"):
        net.weight = nn.Dense(3)


# ---- hybridize ------------------------------------------------------------------------------
def _make_net(prefix):
    net = nn.HybridSequential(prefix=prefix)
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, activation="relu"), nn.BatchNorm(), nn.MaxPool2D(),
                nn.Flatten(), nn.Dense(5, activation="tanh"), nn.Dense(3))
    return net


def _copy_params(src, dst):
    for p, q in zip(src.collect_params().values(), dst.collect_params().values()):
        q.set_data(p.data())


@pytest.mark.parametrize("train", [True, False])
def test_hybridize_matches_imperative(train):
    x = mx.nd.array(np.random.uniform(-1, 1, (2, 2, 8, 8)))
    imp, hyb = _make_net("a_"), _make_net("b_")
    imp.initialize(mx.init.Xavier())
    imp(x)
    hyb.hybridize(static_alloc=True, static_shape=True)
    hyb.initialize()
    hyb(x)                                     # deferred init through the cached graph
    _copy_params(imp, hyb)
    for _ in range(2):                         # the second call reuses the cached op
        with autograd.record(train_mode=train):
            y1 = imp(x)
            y2 = hyb(x)
            l1, l2 = (y1 * y1).sum(), (y2 * y2).sum()
        assert_almost_equal(y1.asnumpy(), y2.asnumpy(), rtol=1e-5, atol=1e-6)
        if train:         # (predict-mode BN gradients differ between ops: see the report)
            l1.backward()
            l2.backward()
            for p, q in zip(imp.collect_params().values(), hyb.collect_params().values()):
                if p.grad_req != "null":
                    assert_almost_equal(p.grad().asnumpy(), q.grad().asnumpy(),
                                        rtol=1e-4, atol=1e-5)
    assert_almost_equal(imp[1].running_mean.data().asnumpy(),
                        hyb[1].running_mean.data().asnumpy(), rtol=1e-5, atol=1e-6)
    assert hyb._cached_graph[1].list_outputs() == ["b_dense1_fwd_output"]


def test_hybridize_grad_req_add_and_stale_cache():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(3, in_units=2))
    net.initialize()
    net.hybridize()
    net.collect_params().setattr("grad_req", "add")
    net.collect_params().zero_grad()
    x = mx.nd.ones((2, 2))
    for _ in range(2):
        with autograd.record():
            y = net(x)
        y.backward()
    assert_almost_equal(net[0].weight.grad().asnumpy(), np.full((3, 2), 4.0))
    assert net(x).shape == (2, 3)
    net.add(nn.Dense(7, in_units=3))            # a new child rebuilds the graph
    net[1].initialize()
    assert net(x).shape == (2, 7)
    net.hybridize(active=False)
    assert net(x).shape == (2, 7)


def test_hybridize_dense_output_name_and_sequential_warning():
    dense = nn.Dense(128, activation="tanh", in_units=10, flatten=False, prefix="test_")
    out = dense(sym.var("data"))
    assert out.list_outputs() == ["test_tanh_fwd_output"]
    dense.initialize()
    assert dense(mx.nd.ones((2, 3, 10))).shape == (2, 3, 128)
    seq = nn.Sequential()
    seq.add(nn.Dense(2), nn.Dense(3))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        seq.hybridize()
    assert len([x for x in w if "HybridSequential" in str(x.message)]) == 1


def test_export_and_symbolblock_imports(tmp_path):
    x = mx.nd.array(np.random.uniform(-1, 1, (2, 2, 8, 8)))
    net = _make_net("exp_")
    net.initialize(mx.init.Xavier())
    with pytest.raises(RuntimeError, match="hybridize"):
        net.export(str(tmp_path / "n"))
    net.hybridize()
    ref = net(x)
    sym_file, params_file = net.export(str(tmp_path / "n"), epoch=3)
    assert params_file.endswith("n-0003.params")
    keys = sorted(mx.nd.load(params_file))
    assert "arg:exp_conv0_weight" in keys and "aux:exp_batchnorm0_running_mean" in keys
    blk = gluon.SymbolBlock.imports(sym_file, ["data"], params_file)
    assert_almost_equal(blk(x).asnumpy(), ref.asnumpy(), rtol=1e-5, atol=1e-6)
    # collect_params().load of an exported file strips arg:/aux:
    again = _make_net("exp_")
    again.collect_params().load(params_file)
    assert_almost_equal(again(x).asnumpy(), ref.asnumpy(), rtol=1e-5, atol=1e-6)
    # SymbolBlock on internal outputs shares the parameters
    internals = net(sym.var("data")).get_internals()
    feat = gluon.SymbolBlock(internals["exp_dense0_tanh_fwd_output"], sym.var("data"),
                             params=net.collect_params())
    assert feat(x).shape == (2, 5)


def test_block_classes_are_also_in_nn():
    """d2l writes ``nn.Block``: MXNet's gluon.nn re-exports the block classes."""
    from pymx.gluon import nn
    assert (nn.Block, nn.HybridBlock, nn.SymbolBlock) == (
        mx.gluon.Block, mx.gluon.HybridBlock, mx.gluon.SymbolBlock)
