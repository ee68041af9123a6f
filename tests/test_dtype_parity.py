"""Dtype rules and error types of the legacy ``mx.nd`` / ``mx.sym`` API and of Gluon
layers, frozen from MXNet 1.9.1 (every expected value below was printed by MXNet 1.9.1
on CPU for the same call).

The rules in one breath: creation defaults to float32 (even from float64 / int64 /
bool NumPy arrays, but not from another NDArray); arithmetic never promotes (two
arrays of different dtypes are an error; ``int_array + 1.5`` stays int and the scalar
is cast first); comparisons return 0/1 in the input dtype; reductions keep the input
dtype (an int8 sum wraps around); ``argmax`` gives indices in the input's dtype,
``argsort``/``topk`` in their ``dtype`` argument (float32); layers (FullyConnected,
Convolution, LayerNorm, BatchNorm, RNN, the loss heads) want one dtype for data and
parameters, so a float32 Gluon layer refuses float64 data until ``net.cast('float64')``.

(The whole file was also run under MXNet 1.9.1 itself, with ``pymx`` aliased to
``mxnet`` and a small stand-in for pytest: every test passes there too.)
"""
import numpy as np
import pytest

import pymx as mx
from pymx import autograd, gluon, nd
from pymx.gluon import nn


def _check(arr, dtype, values):
    assert arr.dtype == np.dtype(dtype), (arr.dtype, dtype)
    assert arr.asnumpy().tolist() == values, (arr.asnumpy().tolist(), values)


# ---- creation ------------------------------------------------------------------------------
# frozen from MXNet 1.9.1: (call, dtype, values)
CREATION = [
    (lambda: nd.array([1, 2, 3]), "float32", [1.0, 2.0, 3.0]),
    (lambda: nd.array([True, False]), "float32", [1.0, 0.0]),
    (lambda: nd.array(np.array([1.5, 2.0])), "float32", [1.5, 2.0]),
    (lambda: nd.array(np.array([1, 2])), "float32", [1.0, 2.0]),
    (lambda: nd.array(np.array([True, False])), "float32", [1.0, 0.0]),
    (lambda: nd.array(np.array([1, 2], dtype="float16")), "float32", [1.0, 2.0]),
    (lambda: nd.array(nd.array([1, 2], dtype="int32")), "int32", [1, 2]),
    (lambda: nd.array(nd.array([1, 2], dtype="float64")), "float64", [1.0, 2.0]),
    (lambda: nd.array([1.7, 2.2, -1.7], dtype="int32"), "int32", [1, 2, -1]),
    (lambda: nd.array([1, 300, -1], dtype="uint8"), "uint8", [1, 44, 255]),
    (lambda: nd.array([1, 2], dtype=np.int64), "int64", [1, 2]),
    (lambda: nd.zeros(3), "float32", [0.0, 0.0, 0.0]),
    (lambda: nd.ones((2,), dtype="int8"), "int8", [1, 1]),
    (lambda: nd.full((2,), 3.7, dtype="int32"), "int32", [3, 3]),
    (lambda: nd.arange(5), "float32", [0.0, 1.0, 2.0, 3.0, 4.0]),
    (lambda: nd.arange(3, repeat=2), "float32", [0.0, 0.0, 1.0, 1.0, 2.0, 2.0]),
    (lambda: nd.arange(0, 5, 2, dtype="int64"), "int64", [0, 2, 4]),
    (lambda: nd.eye(2, 3, 1), "float32", [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    (lambda: nd.linspace(0, 10, 5, dtype="int32"), "int32", [0, 2, 5, 7, 10]),
    (lambda: nd.ones_like(nd.array([1, 2], dtype="float16")), "float16", [1.0, 1.0]),
    (lambda: nd.array([1.7, -1.7, 2.5]).astype("int32"), "int32", [1, -1, 2]),
    (lambda: nd.array([1.7, -1.0, 300]).astype("uint8"), "uint8", [1, 255, 44]),
    (lambda: nd.array([1.7]).astype(int), "int64", [1]),
    (lambda: nd.cast(nd.array([200, -200]), dtype="int8"), "int8", [-56, 56]),
    (lambda: nd.one_hot(nd.array([0, 2]), 3, dtype="int32"), "int32", [[1, 0, 0], [0, 0, 1]]),
    (lambda: nd.random.randint(0, 5, shape=(2,)) * 0, "int32", [0, 0]),
]


@pytest.mark.parametrize("case", range(len(CREATION)))
def test_creation_dtypes(case):
    make, dtype, values = CREATION[case]
    _check(make(), dtype, values)


def test_asscalar_types():
    # frozen from MXNet 1.9.1
    assert type(nd.array([5], dtype="int32").asscalar()) is np.int32
    assert type(nd.array([5.5], dtype="float64").asscalar()) is np.float64
    # MXNet gives asnumpy()[()] for shape (1, 1), an array that only NumPy 1.x turns
    # into a number: pymx gives the scalar (see NDArray.asscalar)
    r = nd.ones((1, 1)).asscalar()
    assert type(r) is np.float32 and int(r) == 1
    with pytest.raises(ValueError):
        nd.ones((2, 3)).asscalar()


# ---- arithmetic ------------------------------------------------------------------------------
I32 = [7, -7, 3]
# frozen from MXNet 1.9.1: (call, dtype, values)
ARITH = [
    (lambda x: x + 1.5, "int32", [8, -6, 4]),
    (lambda x: x * 1.5, "int32", [7, -7, 3]),
    (lambda x: x / 2, "int32", [3, -3, 1]),
    (lambda x: x % -3, "int32", [-2, -1, 0]),
    (lambda x: x ** 0.5, "int32", [1, 1, 1]),
    (lambda x: 1.5 - x, "int32", [-6, 8, -2]),
    (lambda x: x > 1, "int32", [1, 0, 1]),
    (lambda x: nd.sigmoid(x), "int32", [0, 0, 0]),
    (lambda x: nd.exp(x), "int32", [1096, 0, 20]),
    (lambda x: nd.clip(x, 0, 2.5), "int32", [2, 0, 2]),
    (lambda x: nd.mean(x), "int32", [1]),
    (lambda x: nd.sum(x.astype("int8") * 40), "int8", [120]),       # wraps around
    (lambda x: nd.sum(nd.array([200, 100, 3], dtype="uint8")), "uint8", [47]),
    (lambda x: nd.argmax(nd.array([[1, 2], [4, 3]]), axis=1), "float32", [1.0, 0.0]),
    (lambda x: nd.argmax(x.reshape((1, 3)), axis=1), "int32", [0]),
    (lambda x: nd.argsort(x.astype("float64")), "float32", [1.0, 2.0, 0.0]),
    (lambda x: nd.topk(x.astype("float64"), k=2), "float32", [0.0, 2.0]),
    (lambda x: nd.topk(x.astype("float64"), k=1, ret_typ="value"), "float64", [7.0]),
    (lambda x: nd.smooth_l1(nd.array([-2, 0, 1], dtype="int32")), "int32", [1, 0, 0]),
    (lambda x: nd.smooth_l1(nd.array([-2, 0, 1], dtype="int32"), scalar=2.0),
     "int32", [1, 0, 0]),
]


@pytest.mark.parametrize("case", range(len(ARITH)))
def test_int_arithmetic_keeps_dtype(case):
    fn, dtype, values = ARITH[case]
    _check(fn(nd.array(I32, dtype="int32")), dtype, values)


MIXED = [
    lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a == b, lambda a, b: a > b,
    lambda a, b: nd.elemwise_add(a, b), lambda a, b: nd.broadcast_add(a, b),
    lambda a, b: nd.maximum(a, b), lambda a, b: nd.where(nd.ones(3), a, b),
    lambda a, b: nd.concat(a, b, dim=0), lambda a, b: nd.add_n(a, b),
    lambda a, b: nd.dot(a.reshape((1, 3)), b.reshape((3, 1))),
]


@pytest.mark.parametrize("case", range(len(MIXED)))
@pytest.mark.parametrize("other", ["float64", "int32", "float16"])
def test_mixed_dtypes_are_refused(case, other):
    # frozen from MXNet 1.9.1: all raise MXNetError (no type promotion)
    with pytest.raises(mx.MXNetError):
        MIXED[case](nd.array([1, 2, 3]), nd.array([1, 2, 3], dtype=other)).asnumpy()


def test_refused_dtypes():
    # frozen from MXNet 1.9.1: each raises MXNetError
    i = nd.ones((1, 3), dtype="int32")
    b = nd.array([1, 0], dtype="bool")
    calls = [
        lambda: nd.dot(i, i.reshape((3, 1))),
        lambda: nd.batch_dot(i.reshape((1, 1, 3)), i.reshape((1, 3, 1))),
        lambda: nd.FullyConnected(i, nd.ones((2, 3), dtype="int32"),
                                  nd.ones((2,), dtype="int32"), num_hidden=2),
        lambda: nd.softmax(i), lambda: nd.log_softmax(i),
        lambda: b + b, lambda: b == b,
    ]
    for call in calls:
        with pytest.raises(mx.MXNetError):
            call().asnumpy()


def test_accepted_index_dtypes():
    # frozen from MXNet 1.9.1: indices may be any dtype (floats truncate)
    w = nd.arange(12).reshape((4, 3))
    for idx in (nd.array([0, 2.7]), nd.array([0, 2], dtype="int32"),
                nd.array([0, 2], dtype="float64")):
        _check(nd.Embedding(idx, w, input_dim=4, output_dim=3), "float32",
               [[0.0, 1.0, 2.0], [6.0, 7.0, 8.0]])
        _check(nd.take(w, idx), "float32", [[0.0, 1.0, 2.0], [6.0, 7.0, 8.0]])
        _check(nd.one_hot(idx, 3), "float32", [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


# ---- layers: data and parameters share one dtype ------------------------------------------
def test_layer_ops_refuse_mixed_dtypes():
    x64 = nd.ones((2, 3), dtype="float64")
    img64 = nd.ones((1, 2, 4, 4), dtype="float64")
    calls = [   # frozen from MXNet 1.9.1: each raises MXNetError
        lambda: nd.FullyConnected(x64, nd.ones((4, 3)), nd.zeros(4), num_hidden=4),
        lambda: nd.FullyConnected(x64, nd.ones((4, 3), dtype="float64"), nd.zeros(4),
                                  num_hidden=4),
        lambda: nd.Convolution(img64, nd.ones((3, 2, 3, 3)), nd.zeros(3), kernel=(3, 3),
                               num_filter=3),
        lambda: nd.BatchNorm(img64, nd.ones(2), nd.zeros(2), nd.zeros(2), nd.ones(2)),
        lambda: nd.LayerNorm(x64, nd.ones(3), nd.zeros(3)),
        lambda: nd.SoftmaxOutput(x64, nd.array([0, 1])),
        lambda: nd.SoftmaxOutput(nd.ones((2, 3)), nd.array([0, 1], dtype="int32")),
        lambda: nd.softmax_cross_entropy(nd.ones((2, 3)), nd.array([0, 1], dtype="int32")),
        lambda: nd.LinearRegressionOutput(nd.ones((2, 3)), x64),
        lambda: nd.SVMOutput(nd.ones((2, 3)), nd.array([0, 1], dtype="int32")),
        lambda: nd.InstanceNorm(nd.ones((1, 2, 3), dtype="float64"), nd.ones(2), nd.zeros(2)),
        lambda: nd.GroupNorm(nd.ones((1, 2, 3), dtype="float64"), nd.ones(1), nd.zeros(1)),
        lambda: nd.LeakyReLU(nd.ones((1, 2), dtype="float64"), nd.ones(2), act_type="prelu"),
        lambda: nd.RNN(nd.ones((2, 1, 2), dtype="float64"), nd.ones(12), nd.zeros((1, 1, 2)),
                       state_size=2, num_layers=1, mode="rnn_tanh"),
    ]
    for i, call in enumerate(calls):
        with pytest.raises(mx.MXNetError):
            call().asnumpy()
            pytest.fail(f"call {i} was accepted")


def test_layer_ops_accept_one_dtype():
    # frozen from MXNet 1.9.1: float64 throughout works; BatchNorm keeps float32
    # parameters for float16 data (MXNet refuses float16 ones; pymx takes them too)
    x64 = nd.ones((2, 3), dtype="float64")
    y = nd.FullyConnected(x64, nd.ones((4, 3), dtype="float64"),
                          nd.zeros(4, dtype="float64"), num_hidden=4)
    _check(y, "float64", [[3.0] * 4] * 2)
    y = nd.BatchNorm(nd.ones((1, 2, 2, 2), dtype="float16"), nd.ones(2), nd.zeros(2),
                     nd.zeros(2), nd.ones(2))
    assert y.dtype == np.float16


# ---- symbolic type inference ----------------------------------------------------------------
def _names(types):
    return [np.dtype(t).name for t in types]


def test_symbol_infer_type():
    d = mx.sym.var("data")
    fc = mx.sym.FullyConnected(d, num_hidden=2, name="fc")
    arg, out, _ = fc.infer_type(fc_weight="float64")        # backwards from the weight
    assert _names(arg) == ["float64"] * 3 and _names(out) == ["float64"]
    bn = mx.sym.BatchNorm(d, name="bn")
    arg, out, aux = bn.infer_type(data="float16")
    assert _names(arg) == ["float16", "float32", "float32"] and _names(aux) == ["float32"] * 2


@pytest.mark.parametrize("make, kwargs", [
    (lambda d: mx.sym.FullyConnected(d, num_hidden=2, name="fc"),
     dict(data="float64", fc_weight="float32")),
    (lambda d: mx.sym.FullyConnected(d, num_hidden=2, name="fc"),
     dict(data="float64", fc_bias="float32")),
    (lambda d: mx.sym.Convolution(d, kernel=(3, 3), num_filter=2, name="cv"),
     dict(data="float64", cv_weight="float32")),
    (lambda d: mx.sym.BatchNorm(d, name="bn"), dict(data="float64", bn_gamma="float32")),
    (lambda d: mx.sym.LayerNorm(d, name="ln"), dict(data="float64", ln_gamma="float32")),
    (lambda d: mx.sym.SoftmaxOutput(d, name="so"), dict(data="float32", so_label="int32")),
    (lambda d: d + mx.sym.var("b"), dict(data="float32", b="float64")),
    (lambda d: mx.sym.broadcast_mul(d, mx.sym.var("b")), dict(data="float32", b="int32")),
    (lambda d: mx.sym.dot(d, mx.sym.var("b")), dict(data="float64", b="float32")),
    (lambda d: mx.sym.concat(d, mx.sym.var("b")), dict(data="float64", b="int32")),
])
def test_symbol_infer_type_conflicts(make, kwargs, capsys):
    # frozen from MXNet 1.9.1: MXNetError, after printing the known arguments
    with pytest.raises(mx.MXNetError):
        make(mx.sym.var("data")).infer_type(**kwargs)
    assert "infer_type error" in capsys.readouterr().out


# ---- Gluon ---------------------------------------------------------------------------------
def test_gluon_float32_layers_refuse_float64_data():
    x64 = nd.ones((2, 3), dtype="float64")
    for make in (lambda: nn.Dense(2), lambda: nn.Dense(2, in_units=3),
                 lambda: nn.LayerNorm()):
        net = make()
        net.initialize()
        with pytest.raises(mx.MXNetError):    # frozen from MXNet 1.9.1
            net(x64).asnumpy()
    for make, shape in ((lambda: nn.Conv2D(2, 3), (1, 1, 4, 4)),
                        (lambda: nn.BatchNorm(), (1, 1, 4, 4)),
                        (lambda: nn.InstanceNorm(), (1, 2, 3)),
                        (lambda: gluon.rnn.LSTM(4), (3, 2, 5))):
        net = make()
        net.initialize()
        with pytest.raises(mx.MXNetError):
            net(nd.ones(shape, dtype="float64")).asnumpy()


def test_gluon_hybridized_refuses_float64_after_float32():
    net = nn.HybridSequential()
    net.add(nn.Dense(4, activation="relu"), nn.Dense(2))
    net.initialize()
    net.hybridize()
    net(nd.ones((2, 3)))
    with pytest.raises(mx.MXNetError):
        net(nd.ones((2, 3), dtype="float64")).asnumpy()


def test_gluon_cast():
    x = nd.ones((2, 3))
    net = nn.Dense(2, in_units=3)
    net.initialize(mx.init.One())
    net.cast("float64")
    _check(net(x.astype("float64")), "float64", [[3.0, 3.0], [3.0, 3.0]])
    assert net.weight.dtype == "float64" and net.weight.data().dtype == np.float64
    with pytest.raises(mx.MXNetError):    # and now float32 data is refused
        net(x).asnumpy()
    net = nn.Dense(2, dtype="float64", in_units=3)
    net.initialize()
    assert net.weight.data().dtype == np.float64
    bn = nn.BatchNorm()
    bn.initialize()
    bn.cast("float16")                    # BatchNorm keeps float32 parameters
    assert (bn.gamma.dtype, bn.running_mean.dtype) == ("float32", "float32")
    assert bn(nd.ones((2, 3, 2, 2), dtype="float16")).dtype == np.float16
    emb = nn.Embedding(5, 2)
    emb.initialize()
    emb.cast("float64")
    assert emb(nd.array([1, 2])).dtype == np.float64      # float32 indices are fine


def test_gluon_losses_dtypes():
    # frozen from MXNet 1.9.1: the pick-based losses accept any label dtype, the
    # elementwise ones want the prediction's
    sce = gluon.loss.SoftmaxCrossEntropyLoss()
    assert sce(nd.ones((2, 3), dtype="float64"), nd.array([0, 1])).dtype == np.float64
    assert sce(nd.ones((2, 3)), nd.array([0, 1], dtype="int32")).dtype == np.float32
    with pytest.raises(mx.MXNetError):
        gluon.loss.L2Loss()(nd.ones((2, 3), dtype="float64"), nd.zeros((2, 3))).asnumpy()


# ---- error types -----------------------------------------------------------------------------
def _raises(fn):
    try:
        r = fn()
        if isinstance(r, nd.NDArray):
            r.asnumpy()                   # MXNet raises some errors only here
    except Exception as e:                # noqa: BLE001 - the type is the point
        return type(e)
    return None


def test_error_types():
    a, b, c = nd.ones((2, 3)), nd.ones((3, 2)), nd.ones((4,))

    def backward_without_record():
        x = nd.ones(2)
        x.attach_grad()
        (x * 2).backward()

    def backward_without_attach():
        x = nd.ones(2)
        with autograd.record():
            y = x * 2
        y.backward()

    def deferred_data():
        net = nn.Dense(2)
        net.initialize()
        return net.weight.data()

    def forward_without_initialize():
        return nn.Dense(2)(nd.ones((1, 3)))

    # frozen from MXNet 1.9.1: (call, exception type)
    cases = [
        (lambda: a + b, mx.MXNetError), (lambda: a + c, mx.MXNetError),
        (lambda: nd.elemwise_add(a, b), mx.MXNetError),
        (lambda: a.sum(axis=2), mx.MXNetError), (lambda: nd.softmax(a, axis=2), mx.MXNetError),
        (lambda: nd.concat(a, b, dim=0), mx.MXNetError),
        (lambda: a.reshape((4, 2)), mx.MXNetError),
        (lambda: a.reshape((-1, -1)), mx.MXNetError),
        (lambda: a[5], IndexError), (lambda: a[0, 7], IndexError),
        (lambda: a[0, 0, 0], IndexError), (lambda: a.asscalar(), ValueError),
        (lambda: float(a), TypeError), (lambda: int(nd.array([3.7])), TypeError),
        (lambda: bool(a), ValueError), (lambda: a[1.0], ValueError),
        (backward_without_record, mx.MXNetError), (backward_without_attach, mx.MXNetError),
        (deferred_data, gluon.parameter.DeferredInitializationError),
        (forward_without_initialize, RuntimeError),
        (lambda: nd.dot(a, a), mx.MXNetError),
        (lambda: nd.array([1], dtype="foo"), TypeError),
        (lambda: nd.softmax(a, foo=1), mx.MXNetError),
    ]
    for fn, want in cases:
        got = _raises(fn)
        assert got is not None and issubclass(got, want), (got, want)
    assert issubclass(gluon.parameter.DeferredInitializationError, mx.MXNetError)


def test_numpy_operands_are_refused():
    # frozen from MXNet 1.9.1: NDArray (op) np.ndarray is a TypeError (numbers, NumPy
    # scalars included, are fine: the scalar ops, in the array's dtype)
    x = nd.array([1, 2, 3])
    for fn in (lambda: x + np.ones(3), lambda: np.ones(3) + x, lambda: x - np.ones(3),
               lambda: x.__iadd__(np.ones(3)), lambda: x < np.ones(3)):
        with pytest.raises(TypeError):
            fn()
    _check(x + np.float64(1.5), "float32", [2.5, 3.5, 4.5])
    _check(nd.array([1, 2], dtype="int32") + np.float32(1.5), "int32", [2, 3])
    x[:] = np.ones(3)                     # assignment does take NumPy arrays
    _check(x, "float32", [1.0, 1.0, 1.0])


def test_unsupported_dtypes():
    # frozen from MXNet 1.9.1: an array's dtype is one of eight; others are a KeyError
    # from the Python front end, or an MXNetError from an operator's dtype argument
    for dtype in ("int16", "uint16", "uint32", "uint64", "complex64"):
        for fn in (lambda: nd.array([1, 2], dtype=dtype), lambda: nd.ones(2).astype(dtype),
                   lambda: nd.empty((2,), dtype=dtype), lambda: nd.full((2,), 1, dtype=dtype),
                   lambda: mx.np.array([1, 2], dtype=dtype)):
            with pytest.raises(KeyError):
                fn()
        for fn in (lambda: nd.zeros((2,), dtype=dtype), lambda: nd.arange(3, dtype=dtype),
                   lambda: nd.cast(nd.ones(2), dtype=dtype), lambda: mx.np.zeros(2, dtype=dtype)):
            with pytest.raises(mx.MXNetError):
                fn()
    # NumPy input of such a dtype is converted: float32 by default
    _check(nd.array(np.array([1, 2], dtype="int16")), "float32", [1.0, 2.0])
    for dtype in ("float32", "float64", "float16", "uint8", "int32", "int8", "int64", "bool"):
        assert nd.zeros((2,), dtype=dtype).dtype == np.dtype(dtype)
    assert nd.zeros((2, 2), stype="csr").stype == "csr"


def test_float16_rounds_once():
    # frozen from MXNet 1.9.1: a float16 element's expression is computed in float32 and
    # rounded once (rsqrt, softsign; BatchNorm's CPU kernel)
    rs = np.random.RandomState(0)
    x = nd.array(rs.randn(3, 5) * 3, dtype="float16")
    p = nd.array(rs.rand(3, 5), dtype="float16")
    assert nd.rsqrt(p).asnumpy().ravel()[:8].tolist() == [
        1.0107421875, 1.1181640625, 1.4716796875, 1.1318359375, 2.908203125, 1.25,
        2.640625, 1.0283203125]
    assert nd.softsign(x).asnumpy().ravel()[:8].tolist() == [
        0.84130859375, 0.54541015625, 0.74609375, 0.87060546875, 0.8486328125,
        -0.74560546875, 0.740234375, -0.312255859375]
    rs = np.random.RandomState(0)
    rs.randn(3, 5, 1)                     # (the float32 case's draw)
    x = nd.array(rs.randn(3, 5, 1) * 3, dtype="float16")
    y = nd.BatchNorm(x, nd.ones(5), nd.zeros(5), nd.zeros(5), nd.ones(5))
    assert y.dtype == np.float16
    assert [round(float(v), 3) for v in y.asnumpy().ravel()[:5]] == \
        [1.0, 4.477, -0.615, 0.938, -2.561]


def test_simple_bind_dtype_conflict_is_a_runtime_error():
    # frozen from MXNet 1.9.1: simple_bind reports failed inference as a RuntimeError
    # (not an MXNetError) that lists the arguments
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2,
                                                     name="fc"), name="softmax")
    with pytest.raises(RuntimeError) as info:
        net.simple_bind(mx.cpu(), data=(4, 3),
                        type_dict={"data": "float64", "softmax_label": "int32"})
    assert not isinstance(info.value, mx.MXNetError)
    assert str(info.value).startswith("simple_bind error. Arguments:")
    ex = net.simple_bind(mx.cpu(), data=(4, 3), type_dict={"data": "float64"})
    assert ex.arg_dict["fc_weight"].dtype == np.float64      # inferred from the data
    assert ex.arg_dict["softmax_label"].dtype == np.float64
