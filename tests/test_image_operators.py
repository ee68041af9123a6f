"""MXNet's image operators (``mx.nd.image.*`` / ``mx.sym.image.*``) and the gluon
transforms built on them, against MXNet 1.9.1.

The expected values in ``tests/data/mxnet/image_ops.json`` were written by real MXNet
1.9.1 with ``tests/data/mxnet/make_image_ops.py`` from the seeded images that script
makes (imported here).  Exact: uint8 resizing for every interpolation code (OpenCV's
fixed-point arithmetic), crops, the random operators' uint8 results after
``mx.random.seed``, shapes, attributes, error types.  Float results to the file's
rounding (3 or 4 decimals; float16 to its own precision).
"""
import importlib.util
import json
import os

import numpy as np
import pytest

import pymx as mx
from pymx import autograd
from pymx.base import MXNetError
from pymx.gluon.data.vision import transforms as T

DATA = os.path.join(os.path.dirname(__file__), "data", "mxnet")
_spec = importlib.util.spec_from_file_location("make_image_ops",
                                               os.path.join(DATA, "make_image_ops.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)
with open(os.path.join(DATA, "image_ops.json")) as _f:
    CASES = json.load(_f)
U8, F32, GRAY, BATCH = gen.images()
I = mx.nd.image


def u8(a):
    return mx.nd.array(a, dtype="uint8")


def check(got, want, what, atol=2e-3):
    """``got`` (NDArray) equals MXNet's values: integers exactly, floats to ``atol``."""
    want = np.array(want)
    a = got.asnumpy()
    assert a.shape == want.shape, (what, a.shape, want.shape)
    if a.dtype.kind in "iu":
        bad = np.argwhere(a != want)
        assert bad.size == 0, (what, bad[:5].tolist(), a[tuple(bad[0])], want[tuple(bad[0])])
    else:
        np.testing.assert_allclose(a.astype(np.float64), want, atol=atol, rtol=0,
                                   err_msg=what)


def test_namespaces_hold_mxnets_image_operators():
    names = ["adjust_lighting", "crop", "flip_left_right", "flip_top_bottom", "normalize",
             "random_brightness", "random_color_jitter", "random_contrast",
             "random_flip_left_right", "random_flip_top_bottom", "random_hue",
             "random_lighting", "random_saturation", "resize", "to_tensor"]
    for ns in (mx.nd.image, mx.sym.image):
        assert all(callable(getattr(ns, n)) for n in names), [n for n in names
                                                              if not hasattr(ns, n)]


@pytest.mark.parametrize("interp", range(5))
def test_resize_uint8_is_opencvs_fixed_point_exactly(interp):
    for k, (_, size) in enumerate(gen.RESIZE_CASES):
        for c in ((1, 3) if k < 3 else (3,)):
            got = I.resize(u8(gen.resize_input(k, c)), size, interp=interp)
            assert got.dtype == np.uint8
            check(got, CASES["resize_uint8"][f"{k}_{c}_{interp}"], (k, c, interp))


@pytest.mark.parametrize("interp", range(5))
def test_resize_float32(interp):
    for k, (_, size) in enumerate(gen.FLOAT_RESIZE_CASES):
        got = I.resize(mx.nd.array(gen.float_resize_input(k)), size, interp=interp)
        assert got.dtype == np.float32
        check(got, CASES["resize_float32"][f"{k}_{interp}"], (k, interp), atol=2e-3)


def test_mx_image_imresize_is_exact_for_uint8_too():
    # mx.image.imresize shares the resizer: MXNet's frozen imresize outputs, exactly
    spec = importlib.util.spec_from_file_location("make_image",
                                                  os.path.join(DATA, "make_image.py"))
    make_image = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_image)
    with open(os.path.join(DATA, "image_cases.json")) as f:
        want = json.load(f)["resize"]
    src, smooth, _ = make_image.images()
    for name, img in (("src", src), ("smooth", smooth[:7, :9])):
        for w, h in make_image.RESIZE_SIZES:
            for interp in range(5):
                check(mx.image.imresize(u8(img), w, h, interp=interp),
                      want[f"{name}_{interp}_{w}x{h}"], (name, w, h, interp))


def test_resize_size_forms_and_batches():
    x, xb = u8(U8), u8(BATCH)
    want = CASES["resize_forms"]
    check(I.resize(x, 4), want["int"], "int")
    check(I.resize(x, 4, keep_ratio=True), want["keep"], "keep")
    check(I.resize(x.transpose((1, 0, 2)), 3, keep_ratio=True), want["keep_tall"], "tall")
    check(I.resize(x, (3, 5), keep_ratio=True), want["keep_tuple"], "keep ignored")
    check(I.resize(x, (5,)), want["one_tuple"], "(5,)")
    check(I.resize(xb, (5, 3)), want["batch"], "batch")
    check(I.resize(xb, 3, True), want["batch_keep"], "batch keep")


def test_crop():
    check(I.crop(u8(U8), 1, 2, 5, 3), CASES["crop"]["image"], "image")
    check(I.crop(u8(BATCH), 2, 1, 3, 4), CASES["crop"]["batch"], "batch")
    check(I.crop(mx.nd.array(F32), 0, 0, 8, 6), CASES["crop"]["full"], "full", atol=1e-3)


@pytest.mark.parametrize("name", sorted(gen.RANDOM_OPS))
def test_random_ops_draw_mxnets_numbers(name):
    op, kwargs = gen.RANDOM_OPS[name]
    for s in gen.SEEDS:
        for tag, x in (("u8", u8(U8)), ("f32", mx.nd.array(F32))):
            mx.random.seed(s)
            y = getattr(I, op)(x, **kwargs)
            assert y.dtype == x.dtype
            check(y, CASES["random"][f"{name}_{tag}_{s}"], (name, tag, s))


def test_random_ops_in_a_row_share_one_stream():
    mx.random.seed(11)
    x = u8(U8)
    for n, want in zip(gen.SEQUENCE, CASES["sequence"]):
        op, kwargs = gen.RANDOM_OPS[n]
        check(getattr(I, op)(x, **kwargs), want, n)


def test_one_channel_images():
    for n in gen.GRAY_OPS:
        mx.random.seed(2)
        op, kwargs = gen.RANDOM_OPS[n]
        check(getattr(I, op)(u8(GRAY), **kwargs), CASES["gray"][n], n)


def test_other_dtypes_compute_in_float32_and_cast_back():
    base = (np.arange(6 * 8 * 3).reshape(6, 8, 3) * 13 % 250).astype(np.float64)
    for dt in gen.DTYPES:
        for n in gen.DTYPE_OPS:
            mx.random.seed(4)
            op, kwargs = gen.RANDOM_OPS[n]
            y = getattr(I, op)(mx.nd.array(base, dtype=dt), **kwargs)
            dtype, want = CASES["dtypes"][f"{n}_{dt}"]
            assert y.dtype == np.dtype(dtype), (n, dt)
            check(y, want, (n, dt), atol=0.06 if dt == "float16" else 0.006)


@pytest.mark.parametrize("desc", [c[0] for c in gen.ERROR_CASES])
def test_calls_mxnet_rejects(desc):
    _, op, shape, dt, kwargs = next(c for c in gen.ERROR_CASES if c[0] == desc)
    assert CASES["errors"][desc] == "MXNetError"
    with pytest.raises(MXNetError):
        getattr(I, op)(mx.nd.zeros(shape, dtype=dt), **kwargs).wait_to_read()


def test_factor_bounds_and_symbol_shape_checks():
    with pytest.raises(MXNetError, match="min_factor"):
        I.random_hue(mx.nd.zeros((2, 2, 3)), -0.5, 1.5)
    with pytest.raises(MXNetError, match="normalize"):
        mx.sym.image.normalize(mx.sym.var("data"), mean=(1, 2, 3)).infer_shape(data=(4, 6, 3))
    with pytest.raises(MXNetError, match="random_brightness"):
        mx.sym.image.random_brightness(mx.sym.var("data"), 0.5, 1.5).infer_shape(
            data=(2, 4, 6, 3))


def test_symbols_infer_shapes_and_keep_attributes():
    d = mx.sym.var("data")
    got = {
        "resize": mx.sym.image.resize(d, size=(3, 2)).infer_shape(data=(4, 6, 3))[1],
        "resize_batch": mx.sym.image.resize(d, size=(3, 2)).infer_shape(data=(2, 4, 6, 3))[1],
        "resize_keep": mx.sym.image.resize(d, size=3, keep_ratio=True).infer_shape(
            data=(4, 6, 3))[1],
        "crop": mx.sym.image.crop(d, 1, 1, 2, 3).infer_shape(data=(4, 6, 3))[1],
        "crop_batch": mx.sym.image.crop(d, 1, 1, 2, 3).infer_shape(data=(5, 4, 6, 1))[1],
        "jitter": mx.sym.image.random_color_jitter(d, 0.1, 0.1, 0.1, 0.1).infer_shape(
            data=(4, 6, 3))[1]}
    assert {k: [list(s) for s in v] for k, v in got.items()} == CASES["infer_shape"]
    attrs = {
        "resize": mx.sym.image.resize(d, 3).list_attr(),
        "crop": mx.sym.image.crop(d, x=1, y=1, width=2, height=3).list_attr(),
        "adjust_lighting": mx.sym.image.adjust_lighting(d, alpha=(1, 2, 3)).list_attr(),
        "jitter": mx.sym.image.random_color_jitter(d, 0.1, 0.2, 0.3, 0.4).list_attr()}
    for k, want in CASES["attrs"].items():     # values as MXNet writes them
        assert {a: float(v) if "." in v else v for a, v in attrs[k].items()} == \
            {a: float(v) if "." in v else v for a, v in want.items()}, k
    assert mx.sym.image.crop(d, 1, 1, 2, 3).infer_type(data="uint8")[1] == [np.uint8]


def test_gradients():
    x = mx.nd.array(np.arange(4 * 6 * 3).reshape(4, 6, 3) * 3.0)
    x.attach_grad()
    with autograd.record():
        y = I.crop(x, 2, 1, 3, 2)
    y.backward(mx.nd.array(np.arange(2 * 3 * 3).reshape(2, 3, 3) + 1.0))
    check(x.grad, CASES["grad_crop"], "crop")
    head = mx.nd.array(np.arange(4 * 6 * 3).reshape(4, 6, 3) + 1.0)
    for n, want in CASES["grad_pass"].items():   # MXNet's _copy, even for a flip
        mx.random.seed(0)
        op, kwargs = gen.RANDOM_OPS[n]
        with autograd.record():
            y = getattr(I, op)(x, **kwargs)
        y.backward(head)
        check(x.grad, want, n)


@pytest.mark.parametrize("hybrid", [False, True])
def test_compose_of_transforms_draws_mxnets_numbers(hybrid):
    pipe = T.Compose([T.Resize(5), T.RandomFlipLeftRight(),
                      T.RandomColorJitter(0.2, 0.2, 0.2, 0.05), T.RandomLighting(0.1),
                      T.ToTensor(), T.Normalize((0.5, 0.4, 0.3), (0.2, 0.25, 0.3))])
    if hybrid:
        pipe.hybridize()
    mx.random.seed(3)
    for i, want in enumerate(CASES["transforms"][f"compose_{hybrid}"]):
        check(pipe(u8(U8)), want, i, atol=2e-4)


def test_single_transforms_like_mxnet():
    x8, x32, xb = u8(U8), mx.nd.array(F32), u8(BATCH)
    mx.random.seed(6)
    got = {
        "Resize_keep_batch": T.Resize(4, keep_ratio=True)(xb),
        "CropResize": T.CropResize(1, 1, 5, 4, size=(6, 6), interpolation=2)(x8),
        "CropResize_batch": T.CropResize(1, 1, 5, 4)(xb),
        "Brightness": T.RandomBrightness(0.4)(x8),
        "Contrast": T.RandomContrast(0.4)(x32),
        "Saturation": T.RandomSaturation(0.4)(x8),
        "Hue": T.RandomHue(0.4)(x8),
        "FlipTB": T.RandomFlipTopBottom()(x32),
        "Jitter_b": T.RandomColorJitter(brightness=0.5)(x8),
        "Lighting": T.RandomLighting(0.2)(x32),
    }
    for k, want in CASES["transforms"]["single"].items():
        check(got[k], want, k)


def test_transforms_call_the_operators_and_trace():
    # each hybrid transform is one operator call, so it exports as MXNet's graph
    net = T.Compose([T.Resize(5), T.RandomFlipLeftRight(), T.RandomBrightness(0.2),
                     T.ToTensor(), T.Normalize(0.5, 0.25)])
    sym = net[0](mx.sym.var("data"))
    ops = [n["op"] for n in json.loads(sym.tojson())["nodes"]]
    assert ops == ["null", "_image_resize", "_image_random_flip_left_right",
                   "_image_random_brightness", "_image_to_tensor", "_image_normalize"]
    mx.random.seed(1)
    a = net(u8(U8)).asnumpy()
    mx.random.seed(1)
    b = mx.nd.image.normalize(mx.nd.image.to_tensor(mx.nd.image.random_brightness(
        mx.nd.image.random_flip_left_right(mx.nd.image.resize(u8(U8), 5)), 0.8, 1.2)),
        0.5, 0.25).asnumpy()
    np.testing.assert_array_equal(a, b)
