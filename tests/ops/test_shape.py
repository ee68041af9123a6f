"""Shape operators (pymx/ops/shape.py): forward vs NumPy, MXNet 1.9.1 quirks, gradients,
shape rules and errors.

``tests/data/mxnet/shape_ops.json`` holds outputs of a real MXNet 1.9.1 for the same
calls; ``tests/data/mxnet/make_shape.py`` regenerates it.
"""
import json
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

import legacy_frozen
import pymx as mx
from pymx.ops.registry import get_op
from pymx.ops.shape import infer_reshape, make_split_v2
from pymx.test_utils import assert_almost_equal, check_gradient

nd = mx.nd
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet", "shape_ops.json")
with open(DATA) as _f:
    MX = json.load(_f)

FLOATS = [np.float32, np.float64]


def arr(a, dtype=np.float32):
    return nd.array(np.asarray(a), dtype=dtype)


def shapes(min_dims=1, max_dims=4, min_side=1, max_side=4):
    return st.lists(st.integers(min_side, max_side), min_size=min_dims,
                    max_size=max_dims).map(tuple)


def check_infer_shape(name, inputs, outputs, **attrs):
    """The op's shape rule agrees with what forward produced."""
    op = get_op(name)
    a = op.parse_attrs(dict(attrs, **({op.key_var_num_args: len(inputs)}
                                      if op._inputs == "*data" else {})))
    _, out_shapes = op.infer_shape(a, [x.shape for x in inputs])
    outs = outputs if isinstance(outputs, list) else [outputs]
    assert [tuple(s) for s in out_shapes] == [o.shape for o in outs], (name, attrs)


class _NdWithSplitV2:
    """``mx.nd`` plus ``split_v2`` (until ndarray/__init__ exports the wrapper)."""

    def __getattr__(self, name):
        if name == "split_v2" and not hasattr(nd, "split_v2"):
            return make_split_v2(nd)
        return getattr(nd, name)


# ---- Reshape ----------------------------------------------------------------------------
@pytest.mark.parametrize("case", MX["reshape"],
                         ids=lambda c: f"{c['shape']}->{c['target']}{'R' if c['reverse'] else ''}")
def test_reshape_codes_match_mxnet(case):
    x = nd.zeros(tuple(case["shape"]))
    if "error" in case:
        err = ValueError if case["error"] == "ValueError" else mx.MXNetError
        with pytest.raises(err):
            x.reshape(tuple(case["target"]), reverse=case["reverse"])
        with pytest.raises((ValueError, mx.MXNetError)):
            infer_reshape(tuple(case["shape"]), tuple(case["target"]), case["reverse"])
    else:
        want = tuple(case["outputs"][0]["shape"])
        assert x.reshape(tuple(case["target"]), reverse=case["reverse"]).shape == want
        assert infer_reshape(tuple(case["shape"]), tuple(case["target"]),
                             case["reverse"]) == want


def test_reshape_notes_examples():
    x = nd.arange(24).reshape(2, 3, 4)
    assert x.reshape(4, 0, 2).shape == (4, 3, 2)
    assert x.reshape(2, -2).shape == (2, 3, 4)
    assert x.reshape(-2, 1, 1).shape == (2, 3, 4, 1, 1)
    assert x.reshape(-3, 4).shape == (6, 4)
    assert x.reshape(0, -3).shape == (2, 12)
    assert x.reshape(-4, 1, 2, -2).shape == (1, 2, 3, 4)
    y = nd.zeros((10, 5, 4))
    assert y.reshape(-1, 0).shape == (40, 5)
    assert y.reshape(-1, 0, reverse=True).shape == (50, 4)
    z = nd.zeros((2, 3, 5))
    assert z.reshape(-1, 0).shape == (10, 3)
    assert z.reshape(-1, 0, reverse=True).shape == (6, 5)
    r = nd.arange(30).reshape(-1, 15).reshape(0, -4, 3, -1)      # round trip
    assert r.shape == (2, 3, 5)
    assert_almost_equal(r, np.arange(30).reshape(2, 3, 5))
    with pytest.raises(ValueError):
        z.reshape(7, 2)


def test_reshape_method_is_a_view_and_op_is_a_copy():
    x = nd.arange(6)
    v = x.reshape(2, 3)
    v[1, 2] = 100
    assert x.asnumpy()[5] == 100                      # the method shares memory
    c = nd.reshape(x, shape=(2, 3))
    c[0, 0] = -7
    assert x.asnumpy()[0] == 0                        # the op copies
    assert c.asnumpy()[0, 0] == -7


def test_reshape_op_forms_and_errors():
    x = arr(np.arange(24).reshape(2, 3, 4))
    out = nd.reshape(x, shape=(-1, 0), reverse=True)
    assert out.shape == (6, 4)
    assert_almost_equal(out, np.arange(24).reshape(6, 4))
    assert nd.Reshape(x, (4, -1)).shape == (4, 6)               # positional shape
    assert nd.reshape(x, shape=(6, 4)).shape == (6, 4)          # a plain final shape
    assert nd.reshape(nd.zeros((6, 4)), target_shape=(3, 0), keep_highest=True).shape == (6, 4)
    assert nd.reshape(nd.zeros((6,)), target_shape=(2, 0)).shape == (2, 3)
    assert nd.reshape(nd.ones((1,)), shape=()).shape == ()
    with pytest.raises(mx.MXNetError, match="Reshape"):
        nd.reshape(x, shape=(7, -1))
    with pytest.raises(mx.MXNetError, match="inferred"):
        nd.reshape(x, shape=(-1, -1))


@given(shapes(), st.sampled_from([0, 1, 2]))
def test_reshape_random_against_numpy(shape, how):
    a = np.random.rand(*shape)
    target = {0: (-1,), 1: (shape[0], -1), 2: (-2, 1)}[how]
    want = a.reshape({0: (-1,), 1: (shape[0], -1), 2: shape + (1,)}[how])
    for dt in FLOATS:
        out = nd.reshape(arr(a, dt), shape=target)
        assert out.dtype == dt
        assert_almost_equal(out, want.astype(dt))
        check_infer_shape("Reshape", [arr(a)], out, shape=target)


def test_reshape_like_and_ranges():
    a = arr(np.arange(6))
    out = nd.reshape_like(a, nd.ones((2, 3)))
    assert_almost_equal(out, np.arange(6).reshape(2, 3))
    out = nd.reshape_like(nd.ones((30, 7)), nd.ones((15, 2, 4)), lhs_begin=0, lhs_end=1,
                          rhs_begin=0, rhs_end=2)
    assert out.shape == (15, 2, 7)
    with pytest.raises(mx.MXNetError, match="reshape_like"):
        nd.reshape_like(a, nd.ones((2, 2)))
    check_gradient(lambda x: nd.reshape_like(x, nd.ones((2, 3))), [np.random.rand(3, 2)])


@pytest.mark.parametrize("fn,shape", [
    (lambda x: nd.reshape(x, shape=(-3, 0)), (2, 3, 2)),
    (lambda x: nd.reshape(x, shape=(-1, 2), reverse=True) * x.reshape(-1, 2), (2, 3, 2)),
    (lambda x: nd.flatten(x), (2, 3, 2)),
    (lambda x: nd.expand_dims(x, axis=-2), (2, 3)),
    (lambda x: nd.squeeze(x, axis=(0, 2)), (1, 3, 1)),
])
def test_reshape_family_gradients(fn, shape):
    check_gradient(fn, [np.random.randn(*shape)])


def test_flatten_expand_squeeze():
    a = np.random.rand(2, 3, 4)
    assert_almost_equal(nd.flatten(arr(a)), a.reshape(2, 12))
    assert nd.Flatten(nd.ones((3,))).shape == (3, 1)
    assert nd.expand_dims(nd.ones((2, 3)), axis=-1).shape == (2, 3, 1)
    assert nd.expand_dims(nd.ones((2, 3)), axis=-3).shape == (1, 2, 3)
    assert nd.squeeze(nd.ones((1, 1, 1))).shape == (1,)           # never ()
    assert nd.squeeze(nd.ones((1, 3, 1)), axis=0).shape == (3, 1)
    assert nd.ones((1, 3, 1)).squeeze().shape == (3,)
    with pytest.raises(mx.MXNetError, match="squeeze"):
        nd.squeeze(nd.ones((1, 3, 1)), axis=1)
    with pytest.raises(mx.MXNetError, match="expand_dims.*axis"):
        nd.expand_dims(nd.ones((2, 3)), axis=3)
    check_infer_shape("squeeze", [nd.ones((1, 3, 1))], nd.squeeze(nd.ones((1, 3, 1))))
    check_infer_shape("Flatten", [nd.ones((2, 3, 4))], nd.flatten(nd.ones((2, 3, 4))))


# ---- permutations -----------------------------------------------------------------------
@given(shapes(min_dims=1, max_dims=4), st.randoms())
def test_transpose_random(shape, rnd):
    a = np.random.rand(*shape)
    axes = list(range(len(shape)))
    rnd.shuffle(axes)
    neg = tuple(ax - len(shape) if rnd.random() < 0.5 else ax for ax in axes)
    for dt in FLOATS:
        out = nd.transpose(arr(a, dt), axes=neg)
        assert_almost_equal(out, np.transpose(a, axes).astype(dt))
    assert_almost_equal(nd.transpose(arr(a)), np.transpose(a).astype(np.float32))
    check_infer_shape("transpose", [arr(a)], nd.transpose(arr(a), axes=neg), axes=neg)


def test_transpose_swap_flip():
    a = np.random.rand(2, 3, 4)
    x = arr(a)
    assert_almost_equal(x.T, a.T)
    assert_almost_equal(nd.swapaxes(x, 0, -1), np.swapaxes(a, 0, -1))
    assert_almost_equal(nd.SwapAxis(x, dim1=1, dim2=2), np.swapaxes(a, 1, 2))
    assert_almost_equal(nd.flip(x, axis=(0, 2)), a[::-1, :, ::-1])
    assert_almost_equal(nd.reverse(x, axis=-2), a[:, ::-1])
    ints = nd.array(np.arange(6).reshape(2, 3), dtype="int32")
    assert nd.transpose(ints).dtype == np.int32
    assert nd.transpose(ints).asnumpy().tolist() == [[0, 3], [1, 4], [2, 5]]
    with pytest.raises(mx.MXNetError, match="transpose.*permutation"):
        nd.transpose(x, axes=(0, 0, 1))
    with pytest.raises(mx.MXNetError, match="SwapAxis.*dim2"):
        nd.swapaxes(x, 0, 3)
    # non-contiguous input: a strided copy from indexing, then a transposed one
    b = np.random.rand(4, 6)
    nc = arr(b)[:, ::2]
    assert_almost_equal(nd.transpose(nc), b[:, ::2].T)
    assert_almost_equal(nd.flip(nd.transpose(arr(b)), axis=0), b.T[::-1])


@pytest.mark.parametrize("fn", [
    lambda x: nd.transpose(x, axes=(1, -1, 0)) * nd.transpose(x, axes=(1, -1, 0)),
    lambda x: nd.transpose(x),
    lambda x: nd.swapaxes(x, 0, 2),
    lambda x: nd.flip(x, axis=(0, 2)),
])
def test_permutation_gradients(fn):
    check_gradient(fn, [np.random.randn(2, 3, 4)])


def test_depth_space_roundtrip_and_formula():
    a = np.random.rand(2, 8, 2, 3)
    b = 2
    want = a.reshape(2, b, b, 2, 2, 3).transpose(0, 3, 4, 1, 5, 2).reshape(2, 2, 4, 6)
    out = nd.depth_to_space(arr(a), b)
    assert_almost_equal(out, want)
    assert_almost_equal(nd.space_to_depth(out, b), a)
    with pytest.raises(mx.MXNetError, match="depth_to_space.*multiple"):
        nd.depth_to_space(nd.ones((1, 3, 2, 2)), 2)
    with pytest.raises(mx.MXNetError, match="space_to_depth.*multiples"):
        nd.space_to_depth(nd.ones((1, 2, 3, 3)), 2)
    with pytest.raises(mx.MXNetError, match="4-D"):
        nd.depth_to_space(nd.ones((4, 2, 2)), 2)
    check_gradient(lambda x: nd.depth_to_space(x, 2), [np.random.randn(1, 8, 2, 1)])
    check_gradient(lambda x: nd.space_to_depth(x, 2), [np.random.randn(1, 2, 2, 4)])


# ---- joining and splitting --------------------------------------------------------------
@given(shapes(min_dims=1, max_dims=3), st.integers(0, 3), st.data())
def test_concat_random(shape, n_extra, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(n_extra + 1):
        s = list(shape)
        s[dim] = data.draw(st.integers(0, 3))
        parts.append(np.random.rand(*s))
    for dt in FLOATS:
        out = nd.concat(*[arr(p, dt) for p in parts], dim=dim)
        assert_almost_equal(out, np.concatenate(parts, axis=dim).astype(dt))
    check_infer_shape("Concat", [arr(p) for p in parts], out, dim=dim)


def test_concat_default_dim_is_1_and_errors():
    a, b = np.ones((2, 3)), np.zeros((2, 1))
    out = nd.concat(arr(a), arr(b))
    assert out.shape == (2, 4)
    assert nd.Concat(arr(a), arr(a), dim=0).shape == (4, 3)
    assert nd.concat([arr(a), arr(b)]).shape == (2, 4)                 # a list works too
    ints = nd.concat(nd.array([[1]], dtype="int64"), nd.array([[2]], dtype="int64"))
    assert ints.dtype == np.int64 and ints.asnumpy().tolist() == [[1, 2]]
    with pytest.raises(mx.MXNetError, match="Concat"):
        nd.concat(arr(a), nd.zeros((1, 1)), dim=1)


def test_concat_gradient_both_inputs():
    check_gradient(lambda x, y, z: nd.concat(x, y, z, dim=-1) * 2,
                   [np.random.randn(2, 1), np.random.randn(2, 3), np.random.randn(2, 2)])
    check_gradient(lambda x: nd.concat(x, dim=0), [np.random.randn(2, 2)])


def test_stack():
    a, b = np.random.rand(2, 3), np.random.rand(2, 3)
    for axis in (0, 1, 2, -1, -3):
        assert_almost_equal(nd.stack(arr(a), arr(b), axis=axis), np.stack([a, b], axis=axis))
    with pytest.raises(mx.MXNetError, match="stack"):
        nd.stack(arr(a), nd.ones((3, 2)))
    check_infer_shape("stack", [arr(a), arr(b)], nd.stack(arr(a), arr(b), axis=-1), axis=-1)
    check_gradient(lambda x, y: nd.stack(x, y, axis=1), [a, b])
    check_gradient(lambda x: nd.stack(x, axis=-1), [a])


def test_split_slicechannel():
    a = np.random.rand(2, 6)
    outs = nd.split(arr(a), 3)                          # axis defaults to 1
    assert len(outs) == 3
    for o, w in zip(outs, np.split(a, 3, axis=1)):
        assert_almost_equal(o, w)
    sq = nd.SliceChannel(arr(a), num_outputs=2, axis=0, squeeze_axis=True)
    assert [o.shape for o in sq] == [(6,), (6,)]
    one = nd.split(arr(a), num_outputs=1, axis=0)
    assert isinstance(one, nd.NDArray) and one.shape == (2, 6)
    with pytest.raises(mx.MXNetError, match="evenly"):
        nd.split(arr(a), 4, axis=1)
    with pytest.raises(mx.MXNetError, match="squeeze_axis"):
        nd.split(arr(a), 3, axis=1, squeeze_axis=True)
    check_infer_shape("SliceChannel", [arr(a)], outs, num_outputs=3)
    check_gradient(lambda x: nd.split(x, 3, axis=-1)[1] * 3, [a])
    check_gradient(lambda x: nd.split(x, 2, axis=0, squeeze_axis=True)[0]
                   * nd.split(x, 2, axis=0, squeeze_axis=True)[1], [a])


def test_split_v2():
    split_v2 = _NdWithSplitV2().split_v2
    a = np.arange(12.0).reshape(2, 6)
    out = split_v2(arr(a), (1, 4), axis=1)
    for o, w in zip(out, np.split(a, (1, 4), axis=1)):
        assert_almost_equal(o, w)
    out = split_v2(arr(a), 3, axis=1)
    assert [o.shape for o in out] == [(2, 2)] * 3
    out = nd._split_v2(arr(a), indices=(0, 1), axis=0, squeeze_axis=True)
    assert [o.shape for o in out] == [(6,), (6,)]
    with pytest.raises(mx.MXNetError, match="evenly"):
        split_v2(arr(a), 4, axis=1)
    with pytest.raises(mx.MXNetError, match="start 4"):
        nd._split_v2(arr(a), indices=(0, 4, 2), axis=1)
    with pytest.raises(mx.MXNetError, match="end 8"):
        nd._split_v2(arr(a), indices=(0, 8), axis=1)
    with pytest.raises(ValueError):
        split_v2(arr(a), "3")
    check_infer_shape("_split_v2", [arr(a)], nd._split_v2(arr(a), indices=(0, 2, 5)),
                      indices=(0, 2, 5))
    check_gradient(lambda x: nd._split_v2(x, indices=(0, 2), axis=-1)[1], [a[:, :4]])


def test_split_v2_is_exported_as_mx_nd_split_v2():
    if not hasattr(nd, "split_v2"):
        pytest.skip("mx.nd.split_v2 not exported yet (see pymx.ops.shape.make_split_v2)")
    out = nd.split_v2(nd.arange(6), 3)
    assert [o.asnumpy().tolist() for o in out] == [[0, 1], [2, 3], [4, 5]]
    assert len(nd.arange(6).split_v2(2)) == 2


# ---- repetition and broadcasting --------------------------------------------------------
@given(shapes(min_dims=1, max_dims=3, max_side=3),
       st.lists(st.integers(1, 3), min_size=0, max_size=4).map(tuple))
def test_tile_random(shape, reps):
    a = np.random.rand(*shape)
    out = nd.tile(arr(a, np.float64), reps=reps)
    assert_almost_equal(out, np.tile(a, reps))
    check_infer_shape("tile", [arr(a)], out, reps=reps)


@pytest.mark.parametrize("shape,reps", [((2, 3), (2, 1, 3)), ((2, 2, 3), (2,)),
                                        ((3,), (2, 2)), ((2, 3), ()), ((2, 3), (1, 1))])
def test_tile_gradient(shape, reps):
    check_gradient(lambda x: nd.tile(x, reps=reps), [np.random.randn(*shape)])


@given(shapes(min_dims=1, max_dims=3, max_side=3), st.integers(0, 3), st.data())
def test_repeat_random(shape, repeats, data):
    a = np.random.rand(*shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    out = nd.repeat(arr(a), repeats=repeats, axis=axis)
    assert_almost_equal(out, np.repeat(a, repeats, axis=axis).astype(np.float32))
    check_infer_shape("repeat", [arr(a)], out, repeats=repeats, axis=axis)


@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, -2, -3])
def test_repeat_gradient(axis):
    check_gradient(lambda x: nd.repeat(x, 2, axis=axis), [np.random.randn(2, 1, 3)])


def test_broadcast_ops():
    a = np.random.rand(1, 3, 1)
    assert_almost_equal(nd.broadcast_to(arr(a), shape=(2, 0, 4)), np.broadcast_to(a, (2, 3, 4)))
    assert_almost_equal(nd.broadcast_axis(arr(a), axis=(0, -1), size=(2, 4)),
                        np.broadcast_to(a, (2, 3, 4)))
    assert_almost_equal(nd.broadcast_axes(arr(a), axis=0, size=5), np.broadcast_to(a, (5, 3, 1)))
    assert_almost_equal(nd.broadcast_like(arr(a), nd.ones((2, 3, 4))),
                        np.broadcast_to(a, (2, 3, 4)))
    out = nd.broadcast_like(arr(a), nd.ones((5, 6, 7)), lhs_axes=(0, 2), rhs_axes=(1, -1))
    assert out.shape == (6, 3, 7)
    out = arr(a).broadcast_to((2, 3, 4))
    out[0, 0, 0] = 9                                    # a real array, not a broadcast view
    assert out.asnumpy()[1, 0, 0] != 9
    with pytest.raises(mx.MXNetError, match="broadcast_to.*rank"):
        nd.broadcast_to(nd.ones((3,)), shape=(2, 3))
    with pytest.raises(mx.MXNetError, match="broadcast_to"):
        nd.broadcast_to(nd.ones((2, 3)), shape=(4, 3))
    with pytest.raises(mx.MXNetError, match="broadcast_axis.*size 1"):
        nd.broadcast_axis(nd.ones((2, 3)), axis=0, size=4)
    with pytest.raises(mx.MXNetError, match="broadcast_like"):
        nd.broadcast_like(nd.ones((2, 3, 1)), nd.ones((5, 6, 7)), lhs_axes=(0,), rhs_axes=(1,))
    like = nd.ones((5, 6, 7))
    out = nd.broadcast_like(arr(a), like, lhs_axes=(0, 2), rhs_axes=(1, -1))
    check_infer_shape("broadcast_like", [arr(a), like], out, lhs_axes=(0, 2), rhs_axes=(1, -1))


@pytest.mark.parametrize("fn", [
    lambda x: nd.broadcast_to(x, shape=(2, 0, 3)),
    lambda x: nd.broadcast_axis(x, axis=(0, 2), size=(2, 3)),
    lambda x: nd.broadcast_like(x, nd.ones((3, 2, 2), dtype="float64")),
])
def test_broadcast_gradients(fn):
    check_gradient(fn, [np.random.randn(1, 2, 1)])


# ---- padding ----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
@pytest.mark.parametrize("ndim", [4, 5])
def test_pad_modes(mode, ndim):
    shape = (1, 2, 3, 4) if ndim == 4 else (1, 1, 2, 3, 3)
    a = np.random.rand(*shape)
    pw = (0, 0, 0, 0, 1, 2, 2, 1) if ndim == 4 else (0, 0, 0, 0, 1, 0, 2, 1, 0, 2)
    pairs = [(pw[2 * i], pw[2 * i + 1]) for i in range(ndim)]
    kw = {"constant_values": 0.5} if mode == "constant" else {}
    want = np.pad(a, pairs, mode=mode, **kw)
    out = nd.pad(arr(a, np.float64), mode=mode, pad_width=pw, constant_value=0.5)
    assert_almost_equal(out, want)
    check_infer_shape("Pad", [arr(a)], out, mode=mode, pad_width=pw)
    check_gradient(lambda x: nd.Pad(x, mode=mode, pad_width=pw, constant_value=0.5), [a])


def test_pad_checks_follow_mxnet():
    with pytest.raises(mx.MXNetError, match="4-D or 5-D"):
        nd.pad(nd.ones((1, 1, 2)), mode="constant", pad_width=(0, 0, 0, 0, 1, 1))
    with pytest.raises(mx.MXNetError, match="first two axes"):
        nd.pad(nd.ones((1, 1, 2, 2)), mode="constant", pad_width=(1, 0, 0, 0, 1, 1, 1, 1))
    with pytest.raises(mx.MXNetError, match="mismatch"):
        nd.pad(nd.ones((1, 1, 2, 2)), mode="constant", pad_width=(0, 0, 0, 0, 1, 1))
    with pytest.raises(mx.MXNetError, match="smaller than the input"):
        nd.pad(nd.ones((1, 1, 1, 3)), mode="reflect", pad_width=(0, 0, 0, 0, 0, 0, 3, 3))
    with pytest.raises(mx.MXNetError, match="mode"):
        nd.pad(nd.ones((1, 1, 1, 3)), mode="wrap", pad_width=(0,) * 8)
    with pytest.raises(mx.MXNetError, match="floating point"):    # MXNet: float only
        nd.pad(nd.array(np.ones((1, 1, 1, 2)), dtype="int32"), mode="constant",
               pad_width=(0, 0, 0, 0, 0, 0, 1, 0), constant_value=7)


# ---- slicing ----------------------------------------------------------------------------
def _slc():
    return st.tuples(st.one_of(st.none(), st.integers(-6, 6)),
                     st.one_of(st.none(), st.integers(-6, 6)),
                     st.one_of(st.none(), st.integers(-3, 3).filter(bool)))


@given(shapes(min_dims=1, max_dims=3, max_side=5), st.data())
def test_slice_random_against_python_slicing(shape, data):
    n = data.draw(st.integers(1, len(shape)))
    parts = [data.draw(_slc()) for _ in range(n)]
    begin, end, step = zip(*parts)
    a = np.random.rand(*shape)
    key = tuple(slice(*p) for p in parts)
    out = nd.slice(arr(a, np.float64), begin=begin, end=end, step=step)
    assert_almost_equal(out, a[key], use_broadcast=False)
    check_infer_shape("slice", [arr(a)], out, begin=begin, end=end, step=step)


def test_slice_forms_crop_and_errors():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = arr(a)
    assert_almost_equal(nd.slice(x, begin=(1,), end=(2,)), a[1:2])
    assert_almost_equal(nd.crop(x, begin=(None, 1), end=(None, None), step=(None, -1)),
                        a[:, 1::-1])
    assert_almost_equal(nd.slice(x, (0, 2), (2, 0), (1, -1)), a[0:2, 2:0:-1])  # positional
    assert nd.slice(x, begin=(5,), end=(9,)).shape == (0, 3, 4)   # empty (MXNet 1.x errors)
    with pytest.raises(mx.MXNetError, match="step"):
        nd.slice(x, begin=(0,), end=(2,), step=(0,))
    with pytest.raises(mx.MXNetError, match="exceeds"):
        nd.slice(x, begin=(0, 0, 0, 0), end=(1, 1, 1, 1))
    with pytest.raises(mx.MXNetError, match="same length"):
        nd.slice(x, begin=(0, 0), end=(1,))
    # parsing MXNet's string form (symbol JSON)
    assert nd.slice(x, begin="(None, 1)", end="(None, 3)").shape == (2, 2, 4)


@pytest.mark.parametrize("begin,end,step", [((None, 2), (None, 0), (-1, -1)),
                                            ((1,), (None,), (2,)), ((0, 1, 1), (2, 3, 4), ())])
def test_slice_gradient(begin, end, step):
    check_gradient(lambda x: nd.slice(x, begin=begin, end=end, step=step),
                   [np.random.randn(3, 3, 4)])


def test_slice_axis():
    a = np.arange(24.0).reshape(2, 3, 4)
    assert_almost_equal(nd.slice_axis(arr(a), axis=-1, begin=-3, end=None), a[..., -3:])
    assert_almost_equal(nd.slice_axis(arr(a), 1, 0, 2), a[:, 0:2])
    with pytest.raises(mx.MXNetError, match="slice_axis"):
        nd.slice_axis(arr(a), axis=0, begin=1, end=1)
    with pytest.raises(mx.MXNetError, match="slice_axis"):
        nd.slice_axis(arr(a), axis=2, begin=0, end=5)
    check_infer_shape("slice_axis", [arr(a)], nd.slice_axis(arr(a), 1, 1, None),
                      axis=1, begin=1, end=None)
    check_gradient(lambda x: nd.slice_axis(x, axis=-2, begin=1, end=3), [a / 10])


def test_slice_like():
    a = np.arange(24.0).reshape(2, 3, 4)
    assert_almost_equal(nd.slice_like(arr(a), nd.zeros((1, 2, 3))), a[:1, :2, :3])
    assert_almost_equal(nd.slice_like(arr(a), nd.zeros((1, 2, 3)), axes=(0, -1)), a[:1, :, :3])
    with pytest.raises(mx.MXNetError, match="ranks differ"):
        nd.slice_like(arr(a), nd.zeros((1, 2)))
    with pytest.raises(mx.MXNetError, match="exceeds"):
        nd.slice_like(arr(a), nd.zeros((3, 2, 3)))
    check_infer_shape("slice_like", [arr(a), nd.zeros((1, 2, 3))],
                      nd.slice_like(arr(a), nd.zeros((1, 2, 3))))
    check_gradient(lambda x: nd.slice_like(x, nd.zeros((1, 2, 3), dtype="float64"),
                                           axes=(1, 2)), [a / 10], grad_inputs=[0])


def test_slice_assign_ops():
    z = nd.zeros((3, 4))
    out = nd._internal._slice_assign(z, nd.ones((1, 2)), begin=(1, 1), end=(2, 3))
    want = np.zeros((3, 4))
    want[1:2, 1:3] = 1
    assert_almost_equal(out, want)
    assert z.asnumpy().sum() == 0                                   # the op copies
    out = nd._slice_assign_scalar(z, scalar=5, begin=(None, 1), end=(None, None), step=(2, 2))
    want = np.zeros((3, 4))
    want[::2, 1::2] = 5
    assert_almost_equal(out, want)
    with pytest.raises(mx.MXNetError, match="_slice_assign"):
        nd._slice_assign(z, nd.ones((2, 2)), begin=(1, 1), end=(2, 3))
    op = get_op("_slice_assign")
    a = op.parse_attrs({"begin": (1, 1), "end": (2, 3)})
    assert op.infer_shape(a, [(3, 4), None]) == ([(3, 4), (1, 2)], [(3, 4)])
    check_gradient(lambda x, y: nd._slice_assign(x, y, begin=(None, 1), end=(None, 3)),
                   [np.random.randn(2, 4), np.random.randn(2, 2)])
    check_gradient(lambda x: nd._slice_assign_scalar(x, scalar=2, begin=(1,), end=(2,)),
                   [np.random.randn(3, 2)])


# ---- diagonals, shape arrays ------------------------------------------------------------
@pytest.mark.parametrize("shape,k,axis1,axis2", [
    ((3,), 0, 0, 1), ((3,), 2, 0, 1), ((3,), -1, 0, 1), ((3, 4), 0, 0, 1), ((3, 4), 2, 0, 1),
    ((3, 4), -2, 0, 1), ((4, 3), 1, 1, 0), ((2, 3, 4), 1, -1, 1), ((2, 3, 4), 0, 2, 0),
    ((3, 4), 4, 0, 1)])
def test_diag(shape, k, axis1, axis2):
    a = np.random.rand(*shape)
    out = nd.diag(arr(a, np.float64), k=k, axis1=axis1, axis2=axis2)
    want = np.diag(a, k) if a.ndim == 1 else np.diagonal(a, k, axis1, axis2)
    assert_almost_equal(out, want, use_broadcast=False)
    check_infer_shape("diag", [arr(a)], out, k=k, axis1=axis1, axis2=axis2)
    if out.size:
        check_gradient(lambda x: nd.diag(x, k=k, axis1=axis1, axis2=axis2), [a])


def test_diag_errors():
    with pytest.raises(mx.MXNetError, match="does not exist"):
        nd.diag(nd.ones((3, 4)), k=5)
    with pytest.raises(mx.MXNetError, match="same axis"):
        nd.diag(nd.ones((2, 3, 4)), axis1=1, axis2=1)


def test_shape_and_size_array():
    x = nd.ones((2, 3, 4))
    s = nd.shape_array(x)
    assert s.dtype == np.int64 and s.asnumpy().tolist() == [2, 3, 4]
    n = nd.size_array(x)
    assert n.dtype == np.int64 and n.shape == (1,) and n.asscalar() == 24
    assert get_op("shape_array").infer_type(get_op("shape_array").defaults,
                                            [np.dtype("float32")])[1] == [np.dtype("int64")]
    check_infer_shape("shape_array", [x], s)
    check_infer_shape("size_array", [x], n)


# ---- MXNet parity -----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(MX["ops"]))
def test_ops_match_frozen_mxnet(name):
    case = MX["ops"][name]
    ns = {"nd": _NdWithSplitV2()}
    if "error" in case:
        with pytest.raises(mx.MXNetError):
            eval(case["expr"], ns)
        return
    out = eval(case["expr"], ns)
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case["outputs"])
    for o, w in zip(outs, case["outputs"]):
        assert o.shape == tuple(w["shape"]), (name, o.shape, w["shape"])
        assert np.dtype(o.dtype).name == w["dtype"]
        assert o.asnumpy().ravel().tolist() == w["values"], name


# ---- documentation and registration -----------------------------------------------------
def test_names_aliases_and_param_order():
    for alias, name in [("reshape", "Reshape"), ("flatten", "Flatten"), ("swapaxes", "SwapAxis"),
                        ("pad", "Pad"), ("flip", "reverse"), ("concat", "Concat"),
                        ("split", "SliceChannel"), ("crop", "slice"),
                        ("broadcast_axes", "broadcast_axis")]:
        assert get_op(alias) is get_op(name)
    assert list(get_op("Reshape").params) == ["shape", "reverse", "target_shape",
                                              "keep_highest"]
    assert list(get_op("Pad").params) == ["mode", "pad_width", "constant_value"]
    assert list(get_op("_split_v2").params) == ["indices", "axis", "squeeze_axis", "sections"]
    assert list(get_op("_slice_assign_scalar").params) == ["scalar", "begin", "end", "step"]
    assert get_op("Concat").defaults["dim"] == 1
    assert get_op("SliceChannel").defaults["axis"] == 1
    assert "copy" in nd.reshape.__doc__ and "-4" in nd.reshape.__doc__


# ---- legacy ops against MXNet 1.9.1 (tests/data/mxnet/make_legacy_ops.py) ------------------
@pytest.mark.parametrize("case", legacy_frozen.cases("shape"))
def test_legacy_ops_match_mxnet(case):
    legacy_frozen.replay(case)


@pytest.mark.parametrize("source, destination, match", [
    (3, 0, "source=3 is out of range for an array of 3 dims"),
    ((0, 1), (2,), "must be unique axes, as many of each"),
    ((0, 0), (1, 2), "must be unique axes")])
def test_moveaxis_bad_axes(source, destination, match):
    with pytest.raises(mx.MXNetError, match="moveaxis: .*" + match):
        mx.nd.moveaxis(mx.nd.ones((2, 3, 4)), source, destination)
