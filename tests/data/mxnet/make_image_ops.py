"""Write ``image_ops.json`` with **real MXNet 1.9.1**: its image operators
(``mx.nd.image.*``, OpenCV 3.4.2 inside for ``resize``) and the gluon transforms built
on them.

Run it with the side virtualenv (not part of pymx and not needed to run the tests)::

    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python tests/data/mxnet/make_image_ops.py

The inputs are seeded NumPy images made here (``tests/test_image_operators.py`` imports this
file for them).  Recorded: ``resize`` of uint8 images for every interpolation code
(enlarging, shrinking, mixed, integer factors, 1-pixel edges) and of float32 images;
``crop``; the random operators after ``mx.random.seed`` (uint8, float32, one channel,
float16/int32/int8 images, several calls in a row); shapes inferred by Symbols; the
gradients; seeded gluon transforms, imperative and hybridized; which calls fail.
Images have even sizes wherever MXNet's flips run: its flip kernels leave the middle
column (row) of an odd width (height) unwritten.
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# (H, W) of the input, (w, h) of the output
RESIZE_CASES = [((9, 11), (20, 17)), ((13, 17), (7, 5)), ((13, 17), (9, 20)),
                ((20, 30), (11, 7)), ((12, 12), (4, 4)), ((12, 12), (6, 4)),
                ((16, 16), (8, 8)), ((10, 7), (15, 17)), ((1, 7), (3, 1)),
                ((7, 1), (1, 3)), ((8, 8), (16, 16)), ((3, 40), (9, 9))]
FLOAT_RESIZE_CASES = [((7, 9), (13, 11)), ((20, 30), (11, 7)), ((10, 7), (5, 9))]

# name -> (op, kwargs) for the random operators, run after mx.random.seed(s)
RANDOM_OPS = {
    "flip_lr": ("random_flip_left_right", {}),
    "flip_tb": ("random_flip_top_bottom", {}),
    "brightness": ("random_brightness", {"min_factor": 0.5, "max_factor": 1.5}),
    "contrast": ("random_contrast", {"min_factor": 0.5, "max_factor": 1.5}),
    "saturation": ("random_saturation", {"min_factor": 0.5, "max_factor": 1.5}),
    "hue": ("random_hue", {"min_factor": 0.5, "max_factor": 1.5}),
    "jitter": ("random_color_jitter", {"brightness": 0.2, "contrast": 0.3,
                                       "saturation": 0.4, "hue": 0.1}),
    "lighting": ("random_lighting", {"alpha_std": 0.3}),
    "lighting_default": ("random_lighting", {}),
    "adjust_lighting": ("adjust_lighting", {"alpha": (0.1, -0.2, 0.3)}),
}
SEEDS = [0, 1, 5]
SEQUENCE = ["brightness", "flip_lr", "jitter", "lighting", "hue", "contrast", "flip_tb"]
GRAY_OPS = ["brightness", "contrast", "saturation", "flip_lr"]
DTYPE_OPS = ["brightness", "contrast", "saturation", "hue", "adjust_lighting"]
DTYPES = ["float16", "float64", "int32", "int8"]

# calls that MXNet 1.9.1 rejects: (description, op, input shape, dtype, kwargs)
ERROR_CASES = [
    ("crop outside", "crop", (4, 6, 3), "float32", dict(x=5, y=2, width=3, height=2)),
    ("crop width 0", "crop", (4, 6, 3), "float32", dict(x=1, y=1, width=0, height=2)),
    ("crop 2 channels", "crop", (4, 6, 2), "float32", dict(x=0, y=0, width=2, height=2)),
    ("crop 2-D", "crop", (4, 6), "float32", dict(x=0, y=0, width=1, height=1)),
    ("resize no size", "resize", (4, 6, 3), "float32", {}),
    ("resize 3 sizes", "resize", (4, 6, 3), "float32", dict(size=(2, 3, 4))),
    ("resize size 0", "resize", (4, 6, 3), "float32", dict(size=(0, 2))),
    ("resize interp 9", "resize", (4, 6, 3), "float32", dict(size=(3, 2), interp=9)),
    ("resize int32", "resize", (4, 6, 3), "int32", dict(size=(3, 2))),
    ("resize float16", "resize", (4, 6, 3), "float16", dict(size=(3, 2))),
    ("resize 2-D", "resize", (4, 6), "float32", dict(size=(3, 2))),
    ("brightness batch", "random_brightness", (2, 4, 6, 3), "float32",
     dict(min_factor=0.5, max_factor=1.5)),
    ("brightness 2 channels", "random_brightness", (4, 6, 2), "float32",
     dict(min_factor=0.5, max_factor=1.5)),
    ("flip batch", "random_flip_left_right", (2, 4, 6, 3), "float32", {}),
    ("lighting 4 channels", "random_lighting", (4, 6, 4), "float32", {}),
    ("adjust_lighting 2 alphas", "adjust_lighting", (4, 6, 3), "float32",
     dict(alpha=(1.0, 2.0))),
    ("normalize HWC", "normalize", (4, 6, 3), "float32", dict(mean=(1, 2, 3), std=(1, 1, 1))),
]


def resize_input(k, channels=3):
    (H, W), _ = RESIZE_CASES[k]
    return np.random.RandomState(100 + k).randint(0, 256, (H, W, channels)).astype(np.uint8)


def float_resize_input(k):
    (H, W), _ = FLOAT_RESIZE_CASES[k]
    return np.random.RandomState(200 + k).uniform(0, 255, (H, W, 3)).astype(np.float32)


def images():
    """``u8`` (6, 8, 3), ``f32`` (6, 8, 3), ``gray`` (6, 8, 1) uint8, ``batch`` (2, 6, 8, 3)."""
    rng = np.random.RandomState(7)
    u8 = rng.randint(0, 256, (6, 8, 3)).astype(np.uint8)
    f32 = rng.uniform(0, 255, (6, 8, 3)).astype(np.float32)
    gray = rng.randint(0, 256, (6, 8, 1)).astype(np.uint8)
    batch = rng.randint(0, 256, (2, 6, 8, 3)).astype(np.uint8)
    return u8, f32, gray, batch


def values(y, decimals=3):
    """An NDArray as nested lists: integers exact, floats rounded."""
    a = y.asnumpy()
    if a.dtype.kind in "iu":
        return a.tolist()
    return np.round(a.astype(np.float64), decimals).tolist()


def main():
    import mxnet as mx
    from mxnet import autograd
    from mxnet.gluon.data.vision import transforms as T
    I = mx.nd.image
    out = {}
    out["resize_uint8"] = {
        f"{k}_{c}_{interp}": values(I.resize(mx.nd.array(resize_input(k, c), dtype="uint8"),
                                             size, interp=interp))
        for k, (_, size) in enumerate(RESIZE_CASES) for c in (1, 3) for interp in range(5)
        if c == 3 or k < 3}
    out["resize_float32"] = {
        f"{k}_{interp}": values(I.resize(mx.nd.array(float_resize_input(k)), size,
                                         interp=interp), 4)
        for k, (_, size) in enumerate(FLOAT_RESIZE_CASES) for interp in range(5)}
    u8, f32, gray, batch = images()
    x8, x32 = mx.nd.array(u8, dtype="uint8"), mx.nd.array(f32)
    xb = mx.nd.array(batch, dtype="uint8")
    out["resize_forms"] = {
        "int": values(I.resize(x8, 4)), "keep": values(I.resize(x8, 4, keep_ratio=True)),
        "keep_tall": values(I.resize(x8.transpose((1, 0, 2)), 3, keep_ratio=True)),
        "keep_tuple": values(I.resize(x8, (3, 5), keep_ratio=True)),
        "one_tuple": values(I.resize(x8, (5,))),
        "batch": values(I.resize(xb, (5, 3))), "batch_keep": values(I.resize(xb, 3, True)),
    }
    out["crop"] = {"image": values(I.crop(x8, 1, 2, 5, 3)),
                   "batch": values(I.crop(xb, 2, 1, 3, 4)),
                   "full": values(I.crop(x32, 0, 0, 8, 6))}
    out["random"] = {}
    for name, (op, kw) in RANDOM_OPS.items():
        for s in SEEDS:
            for tag, x in (("u8", x8), ("f32", x32)):
                mx.random.seed(s)
                out["random"][f"{name}_{tag}_{s}"] = values(getattr(I, op)(x, **kw))
    mx.random.seed(11)
    out["sequence"] = [values(getattr(I, RANDOM_OPS[n][0])(x8, **RANDOM_OPS[n][1]))
                       for n in SEQUENCE]
    xg = mx.nd.array(gray, dtype="uint8")
    out["gray"] = {}
    for n in GRAY_OPS:
        mx.random.seed(2)
        out["gray"][n] = values(getattr(I, RANDOM_OPS[n][0])(xg, **RANDOM_OPS[n][1]))
    out["dtypes"] = {}
    base = (np.arange(6 * 8 * 3).reshape(6, 8, 3) * 13 % 250).astype(np.float64)
    for dt in DTYPES:
        for n in DTYPE_OPS:
            mx.random.seed(4)
            y = getattr(I, RANDOM_OPS[n][0])(mx.nd.array(base, dtype=dt), **RANDOM_OPS[n][1])
            out["dtypes"][f"{n}_{dt}"] = [str(y.dtype.__name__), values(y, 2)]
    out["errors"] = {}
    for desc, op, shape, dt, kw in ERROR_CASES:
        try:
            getattr(I, op)(mx.nd.zeros(shape, dtype=dt), **kw).wait_to_read()
            out["errors"][desc] = "ok"
        except Exception as e:                       # noqa: BLE001
            out["errors"][desc] = type(e).__name__
    d = mx.sym.var("data")
    out["infer_shape"] = {
        "resize": mx.sym.image.resize(d, size=(3, 2)).infer_shape(data=(4, 6, 3))[1],
        "resize_batch": mx.sym.image.resize(d, size=(3, 2)).infer_shape(data=(2, 4, 6, 3))[1],
        "resize_keep": mx.sym.image.resize(d, size=3, keep_ratio=True).infer_shape(
            data=(4, 6, 3))[1],
        "crop": mx.sym.image.crop(d, 1, 1, 2, 3).infer_shape(data=(4, 6, 3))[1],
        "crop_batch": mx.sym.image.crop(d, 1, 1, 2, 3).infer_shape(data=(5, 4, 6, 1))[1],
        "jitter": mx.sym.image.random_color_jitter(d, 0.1, 0.1, 0.1, 0.1).infer_shape(
            data=(4, 6, 3))[1]}
    out["attrs"] = {
        "resize": mx.sym.image.resize(d, 3).list_attr(),
        "crop": mx.sym.image.crop(d, x=1, y=1, width=2, height=3).list_attr(),
        "adjust_lighting": mx.sym.image.adjust_lighting(d, alpha=(1, 2, 3)).list_attr(),
        "jitter": mx.sym.image.random_color_jitter(d, 0.1, 0.2, 0.3, 0.4).list_attr()}
    # gradients: crop pads dy with zeros; the augmentations pass dy through
    xg32 = mx.nd.array(np.arange(4 * 6 * 3).reshape(4, 6, 3) * 3.0)
    head = mx.nd.array(np.arange(2 * 3 * 3).reshape(2, 3, 3) + 1.0)
    xg32.attach_grad()
    with autograd.record():
        y = I.crop(xg32, 2, 1, 3, 2)
    y.backward(head)
    out["grad_crop"] = values(xg32.grad)
    head = mx.nd.array(np.arange(4 * 6 * 3).reshape(4, 6, 3) + 1.0)
    out["grad_pass"] = {}
    for n in ("flip_lr", "jitter", "lighting", "adjust_lighting"):
        mx.random.seed(0)
        with autograd.record():
            y = getattr(I, RANDOM_OPS[n][0])(xg32, **RANDOM_OPS[n][1])
        y.backward(head)
        out["grad_pass"][n] = values(xg32.grad)
    # gluon transforms, imperative and hybridized
    out["transforms"] = {}
    for hybrid in (False, True):
        pipe = T.Compose([T.Resize(5), T.RandomFlipLeftRight(),
                          T.RandomColorJitter(0.2, 0.2, 0.2, 0.05), T.RandomLighting(0.1),
                          T.ToTensor(), T.Normalize((0.5, 0.4, 0.3), (0.2, 0.25, 0.3))])
        if hybrid:
            pipe.hybridize()
        mx.random.seed(3)
        out["transforms"][f"compose_{hybrid}"] = [values(pipe(x8), 4) for _ in range(3)]
    mx.random.seed(6)
    out["transforms"]["single"] = {
        "Resize_keep_batch": values(T.Resize(4, keep_ratio=True)(xb)),
        "CropResize": values(T.CropResize(1, 1, 5, 4, size=(6, 6), interpolation=2)(x8)),
        "CropResize_batch": values(T.CropResize(1, 1, 5, 4)(xb)),
        "Brightness": values(T.RandomBrightness(0.4)(x8)),
        "Contrast": values(T.RandomContrast(0.4)(x32)),
        "Saturation": values(T.RandomSaturation(0.4)(x8)),
        "Hue": values(T.RandomHue(0.4)(x8)),
        "FlipTB": values(T.RandomFlipTopBottom()(x32)),
        "Jitter_b": values(T.RandomColorJitter(brightness=0.5)(x8)),
        "Lighting": values(T.RandomLighting(0.2)(x32)),
    }
    with open(os.path.join(HERE, "image_ops.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
