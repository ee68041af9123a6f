"""Gluon behaviours checked against MXNet 1.9.1 by running the same script under both
(differential sweep).  Every expected value here is frozen from MXNet 1.9.1."""
import numpy as np
import pytest

import pymx as mx
from pymx import gluon, init, nd
from pymx.base import MXNetError
from pymx.gluon import nn
from pymx.gluon.data import BatchSampler, SequentialSampler
from pymx.gluon.data.vision import transforms as T


# ---- Parameter ---------------------------------------------------------------------------
def test_parameter_dtype_is_reported_as_given():
    # frozen from MXNet 1.9.1: Dense passes dtype='float32' (a str), Conv a numpy type
    d = nn.Dense(3, in_units=2)
    assert d.weight.dtype == "float32"
    assert nn.Conv2D(2, 3).weight.dtype is np.float32
    d.initialize()
    d.weight.cast("float16")
    assert d.weight.dtype == "float16"
    assert d.weight.data().dtype is np.float16
    assert repr(d.weight) == "Parameter dense%s_weight (shape=(3, 2), dtype=float16)" \
        % d.name[len("dense"):]


def test_row_sparse_data_of_a_dense_parameter_is_an_error():
    p = gluon.Parameter("w", shape=(2, 2))
    p.initialize()
    with pytest.raises(RuntimeError):          # MXNet 1.9.1: RuntimeError
        p.row_sparse_data(nd.array([0]))


def test_initialize_with_mixed_asserts():
    # MXNet 1.9.1: Mixed is not an Initializer, so Block.initialize(Mixed) fails with
    # AssertionError in the registry; calling the Mixed directly works.
    net = nn.Dense(3, in_units=2)
    mixed = init.Mixed(["bias", ".*"], [init.Constant(0.3), init.One()])
    with pytest.raises(AssertionError):
        net.initialize(mixed)
    net.initialize()
    for p in net.collect_params().values():
        mixed(init.InitDesc(p.name), p.data())
    # 'bias' does not re.match 'dense0_bias', so One() fills it, and One's bias rule
    # is zeros (frozen from MXNet 1.9.1)
    assert net.weight.data().asnumpy().tolist() == [[1, 1]] * 3
    assert net.bias.data().asnumpy().tolist() == [0, 0, 0]


# ---- Blocks ------------------------------------------------------------------------------
def test_summary_shows_symbol_row_for_child_of_deferred_layer():
    # frozen from MXNet 1.9.1: the Conv2D's deferred shape inference traces it with
    # Symbols, which runs the activation child's hook on a Symbol first.
    net = nn.HybridSequential()
    net.add(nn.Conv2D(4, 3, padding=1, activation="relu", prefix="convx_"),
            nn.BatchNorm(), nn.MaxPool2D(), nn.Flatten(), nn.Dense(3), nn.Dropout(0.5))
    net.initialize()
    import io
    import contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        net.summary(nd.ones((2, 1, 8, 8)))
    rows = [line.split() for line in buf.getvalue().splitlines()[3:11]]
    assert rows == [
        ["Input", "(2,", "1,", "8,", "8)", "0"],
        ["Activation-1", "<Symbol", "convx_relu_fwd>", "0"],
        ["Activation-2", "(2,", "4,", "8,", "8)", "0"],
        ["Conv2D-3", "(2,", "4,", "8,", "8)", "40"],
        ["BatchNorm-4", "(2,", "4,", "8,", "8)", "16"],
        ["MaxPool2D-5", "(2,", "4,", "4,", "4)", "0"],
        ["Flatten-6", "(2,", "64)", "0"],
        ["Dense-7", "(2,", "3)", "195"]]
    assert "Total params: 251" in buf.getvalue()


def test_hybridized_call_with_trailing_none_reuses_the_graph():
    class Opt(gluon.HybridBlock):
        def hybrid_forward(self, F, x, y=None):
            return x if y is None else x + y
    o = Opt()
    o.hybridize()
    assert o(nd.ones((2,))).asnumpy().tolist() == [1, 1]
    assert o(nd.ones((2,)), None).asnumpy().tolist() == [1, 1]    # MXNet: accepted
    with pytest.raises(ValueError):                                # a real new input
        o(nd.ones((2,)), nd.ones((2,)))
    o2 = Opt()
    o2.hybridize()
    assert o2(nd.ones((2,)), None).asnumpy().tolist() == [1, 1]
    assert o2(nd.ones((2,))).asnumpy().tolist() == [1, 1]


def test_grouped_transposed_conv_needs_in_channels():
    # frozen from MXNet 1.9.1: without in_channels the constructor fails for groups
    # that do not divide 2**64 - 1 (the unknown channel count -1 read as unsigned)
    for g in (2, 4):
        with pytest.raises(MXNetError):
            nn.Conv2DTranspose(2 * g, 3, groups=g)
    assert nn.Conv2DTranspose(6, 3, groups=3).weight.shape == (0, 2, 3, 3)
    assert nn.Conv1DTranspose(6, 3, groups=3).weight.shape == (0, 2, 3)
    layer = nn.Conv2DTranspose(2, 3, groups=2, in_channels=4)
    assert layer.weight.shape == (4, 1, 3, 3)


# ---- utils, data -------------------------------------------------------------------------
def test_utils_shape_is_known_and_brief_print_list():
    from pymx.gluon import utils
    # frozen from MXNet 1.9.1
    assert (utils.shape_is_known((2, 0)), utils.shape_is_known((2, 3)),
            utils.shape_is_known(None), utils.shape_is_known(())) == \
        (False, True, False, False)
    assert utils._brief_print_list(list(range(12))) == \
        "'0', '1', '2', ..., '8', '9', '10', '11'"


def test_batch_sampler_checks_last_batch_lazily():
    # MXNet 1.9.1: a bad last_batch only fails when a partial batch turns up or in len()
    ok = BatchSampler(SequentialSampler(6), 3, "foo")
    assert [b for b in iter(ok)] == [[0, 1, 2], [3, 4, 5]]    # list() would call len()
    with pytest.raises(ValueError):
        len(ok)
    with pytest.raises(ValueError):
        [b for b in iter(BatchSampler(SequentialSampler(7), 3, "foo"))]
    gluon.data.DataLoader(gluon.data.SimpleDataset(list(range(4))), batch_size=2,
                          last_batch="foo")


# ---- vision transforms -------------------------------------------------------------------
def test_compose_groups_hybrid_transforms():
    # frozen from MXNet 1.9.1's print(Compose([...]))
    c = T.Compose([T.Resize(4), T.CenterCrop(3), T.ToTensor(), T.Normalize(0.5, 0.5)])
    assert str(c) == """Compose(
  (0): Resize(
  
  )
  (1): CenterCrop(
  
  )
  (2): HybridSequential(
    (0): ToTensor(
    
    )
    (1): Normalize(
    
    )
  )
)"""
    img = nd.array(np.arange(6 * 8 * 3).reshape(6, 8, 3) % 256, dtype="uint8")
    assert c(img).shape == (3, 3, 3)


def test_to_tensor_and_normalize_hybridize():
    img = nd.array(np.arange(2 * 4 * 3).reshape(2, 4, 3), dtype="uint8")
    t = T.ToTensor()
    t.hybridize()
    # frozen from MXNet 1.9.1
    assert np.allclose(t(img).asnumpy().ravel()[:5],
                       [0., 0.01176471, 0.02352941, 0.03529412, 0.04705882])
    assert t(nd.stack(img, img)).shape == (2, 3, 2, 4)
    n = T.Normalize(0.5, 0.2)
    n.hybridize()
    x = img.astype("float32").transpose((2, 0, 1))
    assert np.allclose(n(x).asnumpy().ravel()[:5], [-2.5, 12.5, 27.5, 42.5, 57.5])
    n3 = T.Normalize((0.1, 0.2, 0.3), 0.5)
    assert np.allclose(n3(nd.ones((3, 2, 2))).asnumpy().ravel(),
                       [1.8] * 4 + [1.6] * 4 + [1.4] * 4)
    with pytest.raises(MXNetError):             # (6, 8, 3) is HWC, not CHW
        T.Normalize(0.5, 0.25)(nd.ones((6, 8, 3)))


def test_crop_resize():
    img = nd.array(np.arange(6 * 8 * 3).reshape(6, 8, 3) % 256, dtype="uint8")
    out = T.CropResize(1, 1, 3, 2)(img)
    # frozen from MXNet 1.9.1
    assert out.shape == (2, 3, 3) and out.dtype is np.uint8
    assert out.asnumpy().ravel()[:6].tolist() == [27, 28, 29, 30, 31, 32]
    assert int(out.asnumpy().sum()) == 774
    with pytest.raises(MXNetError):             # MXNet: size without interpolation
        T.CropResize(1, 1, 3, 2, size=(4, 4))(img)
    assert T.CropResize(0, 2, 4, 3, size=5, interpolation=0)(nd.stack(img, img)).shape == \
        (2, 5, 5, 3)


# ---- API present in MXNet 1.9.1 ----------------------------------------------------------
def test_bad_grad_req_asserts():
    with pytest.raises(AssertionError):         # MXNet 1.9.1 asserts
        gluon.Parameter("u", grad_req="sometimes")
    d = nn.Dense(2, in_units=2)
    with pytest.raises(AssertionError):
        d.weight.grad_req = "foo"


def test_tensor_types_and_batchnorm_relu():
    assert gluon.tensor_types == (mx.sym.Symbol, nd.NDArray)
    b = nn.BatchNormReLU(in_channels=3)
    # frozen from MXNet 1.9.1
    assert repr(b) == "BatchNormReLU(axis=1, eps=1e-05, momentum=0.9, fix_gamma=False, " \
        "use_global_stats=False, in_channels=3)"
    b.initialize()
    x = nd.array([[[[-1.0, 1.0]], [[2.0, 4.0]], [[0.0, -3.0]]]])
    assert np.allclose(b(x).asnumpy(), np.maximum(x.asnumpy() / np.sqrt(1 + 1e-5), 0))


def test_dataloader_refresh_clean_auto_reload():
    ds = gluon.data.ArrayDataset(nd.arange(6), nd.arange(6))
    for auto in (False, True):
        dl = gluon.data.DataLoader(ds, batch_size=4, auto_reload=auto)
        assert dl.auto_reload is auto and (dl._iter is None) is (not auto)
        assert [b[0].asnumpy().tolist() for b in dl] == [[0, 1, 2, 3], [4, 5]]
        assert (dl._iter is None) is (not auto)     # made again after the epoch
        dl.clean()
        assert dl._iter is None
        dl.refresh()
        assert dl._iter is not None
        assert [b[0].asnumpy().tolist() for b in dl] == [[0, 1, 2, 3], [4, 5]]


def test_random_apply_uses_python_random():
    import random
    random.seed(0)      # random.random(): 0.844, 0.758, 0.421, 0.259, 0.511, 0.404
    ra = T.RandomApply(T.Cast("float64"), p=0.5)
    dtypes = [ra(nd.ones((2, 2, 3), dtype="uint8")).dtype for _ in range(6)]
    # frozen from MXNet 1.9.1
    assert dtypes == [np.uint8, np.uint8, np.float64, np.float64, np.uint8, np.float64]


def test_optimize_for_builds_the_cache_without_running():
    net = nn.HybridSequential()
    net.add(nn.Dense(3, in_units=2), nn.Dense(2, in_units=3))
    net.initialize(init.One())
    with pytest.raises(ValueError):             # MXNet: a backend is required
        net.optimize_for(nd.ones((1, 2)))
    assert net.optimize_for(nd.ones((1, 2)), backend="MKLDNN") is None
    assert net._active and net._cached_op is not None
    assert net(nd.ones((2, 2))).asnumpy().tolist() == [[6, 6], [6, 6]]


def test_block_save_load_structure(tmp_path):
    import json

    def build():
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(nn.Dense(4, activation="relu"), nn.BatchNorm(), nn.Dense(2))
        return net
    net = build()
    net.initialize()
    net.hybridize()
    x = nd.ones((3, 5))
    y = net(x)
    prefix = str(tmp_path / "mdl")
    net.save(prefix)
    model = json.load(open(prefix + "-model.json"))
    (top_key, top), = model.items()
    # the layout MXNet 1.9.1 writes: class-name + depth-first index keys
    assert top_key == "hybridsequential0" and top["hybridized"] is True
    assert top["in_format"] == [0] and top["out_format"] == 0
    assert sorted(k for k in top if k.startswith(("dense", "batchnorm"))) == \
        ["batchnorm3", "dense1", "dense4"]
    assert top["dense1"]["children"] == {net.name + "_dense0_relu": "act"}
    assert sorted(nd.load(prefix + "-model.params")) == [
        "0.bias", "0.weight", "1.beta", "1.gamma", "1.running_mean", "1.running_var",
        "2.bias", "2.weight"]
    net2 = build()
    net2.load(prefix)
    assert net2.name == net.name and net2._active
    assert list(net2._children) == ["0", "1", "2"]
    assert np.allclose(net2(x).asnumpy(), y.asnumpy())


def test_sparse_embedding_parameter_is_row_sparse():
    from pymx.gluon.contrib import nn as cnn
    se = cnn.SparseEmbedding(5, 2, weight_initializer=init.One())
    w = se.weight
    assert (w._stype, w._grad_stype) == ("row_sparse", "row_sparse")    # as MXNet 1.9.1
    se.initialize()
    with pytest.raises(RuntimeError):          # MXNet: use row_sparse_data()
        w.data()
    trainer = gluon.Trainer(se.collect_params(), "sgd", {"learning_rate": 0.5,
                                                          "momentum": 0.9})
    for _ in range(2):
        with mx.autograd.record():
            o = (se(nd.array([0, 2, 2])) * nd.array([[1, 2], [3, 4], [5, 6]])).sum()
        o.backward()
        assert w.grad().stype == "row_sparse"
        trainer.step(1)
    # frozen from MXNet 1.9.1 (lazy update: rows 1, 3, 4 untouched)
    assert np.allclose(w.row_sparse_data(nd.array([0, 1, 2, 3, 4])).asnumpy(),
                       [[-0.45, -1.9], [1, 1], [-10.6, -13.5], [1, 1], [1, 1]])


def test_initializer_create_unknown_name_asserts():
    with pytest.raises(AssertionError):        # MXNet's registry asserts
        init.create("nonexistent")


def test_image_transforms_that_are_hybrid_in_mxnet_group_in_compose():
    # frozen from MXNet 1.9.1: which transforms are HybridBlocks ...
    kinds = [isinstance(t, gluon.HybridBlock) for t in [
        T.Resize(2), T.CenterCrop(2), T.RandomFlipTopBottom(), T.RandomBrightness(0.1),
        T.RandomResizedCrop(3), T.CropResize(0, 0, 1, 1)]]
    assert kinds == [True, False, True, True, False, True]
    # ... and so how Compose groups them
    c = T.Compose([T.RandomResizedCrop(4), T.RandomFlipLeftRight(), T.ToTensor(),
                   T.Normalize(0.5, 0.2)])
    assert [type(b).__name__ for b in c._children.values()] == \
        ["RandomResizedCrop", "HybridSequential"]
    assert [type(b).__name__ for b in c[1]._children.values()] == \
        ["RandomFlipLeftRight", "ToTensor", "Normalize"]
    img = nd.array(np.arange(6 * 8 * 3).reshape(6, 8, 3) % 256, dtype="uint8")
    assert c(img).shape == (3, 4, 4)


def test_failed_deferred_shape_inference_is_a_value_error():
    class Bad(gluon.HybridBlock):
        def __init__(self, **kw):
            super().__init__(**kw)
            with self.name_scope():
                self.w = self.params.get("weight", shape=(0, 0), allow_deferred_init=True)

        def hybrid_forward(self, F, x, w):
            return x + F.sum(w)
    for hybridize in (False, True):
        b = Bad()
        b.initialize()
        if hybridize:
            b.hybridize()
        with pytest.raises(ValueError):        # MXNet 1.9.1: ValueError
            b(nd.ones((2, 2)))


def test_random_hue_matches_mxnet_bit_for_bit():
    import hashlib
    rs = np.random.RandomState(1)
    img = nd.array(rs.randint(0, 256, (32, 40, 3)), dtype="uint8")
    imgf = nd.array(rs.uniform(0, 255, (16, 8, 3)), dtype="float32")
    # frozen from MXNet 1.9.1: (md5 prefix of the uint8 result, its sum, float sum)
    expected = {0: ("bd034bb4", 491265, 49012.4), 1: ("52578e91", 491878, 48597.5),
                2: ("69f948a9", 492013, 48982.9), 3: ("c6fbbd8e", 491276, 48474.3)}
    for seed, (md5, total, ftotal) in expected.items():
        mx.random.seed(seed)
        t = T.RandomHue(0.5)
        a, b = t(img).asnumpy(), t(imgf).asnumpy()
        assert hashlib.md5(a.tobytes()).hexdigest()[:8] == md5
        assert int(a.astype(np.int64).sum()) == total
        assert round(float(b.sum()), 1) == pytest.approx(ftotal, abs=0.05)


def test_random_color_jitter_order_and_factors_match_mxnet():
    rs = np.random.RandomState(1)
    img = nd.array(rs.randint(0, 256, (8, 10, 3)), dtype="uint8")
    # frozen from MXNet 1.9.1 (std::shuffle of the four ops, uint8 after each step)
    expected = {0: [36478, 30736, 26615], 1: [38231, 26763, 33040],
                5: [36646, 28032, 29775], 7: [29508, 34772, 35168]}
    for seed, sums in expected.items():
        mx.random.seed(seed)
        t = T.RandomColorJitter(0.3, 0.3, 0.3, 0.1)
        assert [int(t(img).asnumpy().astype(np.int64).sum()) for _ in range(3)] == sums
    mx.random.seed(0)
    t = T.RandomColorJitter(0.3, 0, 0.2, 0)
    assert [int(t(img).asnumpy().astype(np.int64).sum()) for _ in range(3)] == \
        [36701, 30476, 30598]
