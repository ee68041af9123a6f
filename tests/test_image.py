"""``mx.image`` against MXNet 1.9.1.

The expected values in ``tests/data/mxnet/image_cases.json`` were written by real
MXNet 1.9.1 (OpenCV inside) with ``tests/data/mxnet/make_image.py``, from the same
seeded images, PNG-encoded by that script's ``png``.  Exact: decoding PNGs, crops and
their regions under ``random.seed``, ``scale_down``, ``resize_short`` sizes, borders,
``CreateAugmenter``'s lists, flips, ``ImageIter`` batches.  Interpolated pixels: at most
1 level from OpenCV's (pymx sums in float, OpenCV in fixed point); float augmenter
outputs to 2e-3 (the file keeps 3 decimals).
"""
import importlib.util
import io
import json
import os
import random

import numpy as np
import pytest

import pymx as mx
from pymx.base import MXNetError

DATA = os.path.join(os.path.dirname(__file__), "data", "mxnet")
_spec = importlib.util.spec_from_file_location("make_image",
                                               os.path.join(DATA, "make_image.py"))
make_image = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_image)
png = make_image.png
SRC, SMOOTH, BIG = make_image.images()
with open(os.path.join(DATA, "image_cases.json")) as _f:
    CASES = json.load(_f)

pytest.importorskip("PIL")


def u8(a):
    return mx.nd.array(a, dtype=np.uint8)


def test_img_is_image():
    assert mx.img is mx.image
    from pymx.gluon.data.vision import folder, transforms_image
    assert folder.imread is mx.image.imread                # one decoder in pymx
    assert transforms_image.imresize is mx.image.resize.resize_array  # one resizer


def test_imdecode_png_like_mxnet():
    x = mx.image.imdecode(png(SRC))
    assert x.dtype == np.uint8 and x.shape == (13, 17, 3)
    np.testing.assert_array_equal(x.asnumpy(), SRC)
    want = CASES["decode"]
    np.testing.assert_array_equal(mx.image.imdecode(png(SRC), to_rgb=0).asnumpy(),
                                  want["bgr"])
    gray = mx.image.imdecode(png(SRC), flag=0).asnumpy()
    assert gray.shape == (13, 17, 1)
    assert np.abs(gray.astype(int) - np.array(want["flag0"])).max() <= 1
    gray_file = (SRC[:, :, 0] // 2 + 20).astype(np.uint8)
    np.testing.assert_array_equal(mx.image.imdecode(png(gray_file)).asnumpy(),
                                  want["gray_file_flag1"])
    rgba = np.concatenate([SRC, np.full((13, 17, 1), 128, np.uint8)], axis=2)
    np.testing.assert_array_equal(mx.image.imdecode(bytearray(png(rgba))).asnumpy(),
                                  want["rgba_file"])


def test_imdecode_inputs_out_and_errors(tmp_path):
    buf = png(SRC)
    from_np = mx.image.imdecode(np.frombuffer(buf, np.uint8), flag=0)
    from_nd = mx.image.imdecode(mx.nd.array(np.frombuffer(buf, np.uint8), dtype=np.uint8),
                                flag=0)
    np.testing.assert_array_equal(from_np.asnumpy(), from_nd.asnumpy())
    out = mx.nd.zeros((13, 17, 3), dtype=np.uint8)
    assert mx.image.imdecode(buf, out=out) is out
    np.testing.assert_array_equal(out.asnumpy(), SRC)
    (tmp_path / "a.png").write_bytes(buf)
    np.testing.assert_array_equal(mx.image.imread(str(tmp_path / "a.png"), to_rgb=0).asnumpy(),
                                  SRC[:, :, ::-1])
    with pytest.raises(ValueError, match="imdecode: buf must be of type bytes"):
        mx.image.imdecode("a.png")
    with pytest.raises(MXNetError, match="imdecode: cannot decode 7 bytes"):
        mx.image.imdecode(b"garbage")


def test_imdecode_jpeg_is_close_to_the_source():
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(SMOOTH).save(buf, "JPEG", quality=95)
    x = mx.image.imdecode(buf.getvalue()).asnumpy().astype(int)
    assert x.shape == SMOOTH.shape and np.abs(x - SMOOTH).mean() < 3


@pytest.mark.parametrize("interp", range(5))
def test_imresize_within_one_level_of_opencv(interp):
    for name, img in (("src", SRC), ("smooth", SMOOTH[:7, :9])):
        for w, h in make_image.RESIZE_SIZES:
            want = np.array(CASES["resize"][f"{name}_{interp}_{w}x{h}"])
            got = mx.image.imresize(u8(img), w, h, interp=interp)
            assert got.dtype == np.uint8 and got.shape == want.shape
            diff = np.abs(got.asnumpy().astype(int) - want)
            assert diff.max() <= (0 if interp == 0 else 1), (name, w, h, diff.max())


def test_imresize_float_interp_codes_and_errors():
    f = mx.nd.array(SRC, dtype=np.float32)
    for interp in range(5):                                      # same size: a copy
        np.testing.assert_allclose(mx.image.imresize(f, 17, 13, interp).asnumpy(), SRC,
                                   atol=1e-4)
    half = mx.image.imresize(f[:12, :16], 8, 6, interp=3)        # area: 2x2 block means
    assert half.dtype == np.float32
    np.testing.assert_allclose(half.asnumpy(), SRC[:12, :16].reshape(6, 2, 8, 2, 3).mean((1, 3)),
                               rtol=1e-5)
    random.seed(0)
    assert mx.image.imresize(u8(SRC), 5, 5, interp=10).shape == (5, 5, 3)
    with pytest.raises(ValueError, match="Unknown interp method 7"):
        mx.image.imresize(f, 5, 5, interp=7)
    with pytest.raises(MXNetError, match=r"imresize: expected an \(H, W, C\) image.*\(13, 17\)"):
        mx.image.imresize(f[:, :, 0], 5, 5)


def test_resize_short_and_scale_down_sizes():
    got = [list(mx.image.resize_short(u8(np.zeros(hw + (3,))), s).shape)
           for hw, s in make_image.SHORT_CASES]
    assert got == CASES["resize_short"]
    assert [list(mx.image.scale_down(a, b)) for a, b in make_image.SCALE_DOWN_CASES] == \
        CASES["scale_down"]


def test_crop_regions_under_random_seed():
    want = CASES["regions"]
    for seed in range(4):
        random.seed(seed)
        img, region = mx.image.random_crop(u8(BIG), (10, 8))
        assert list(region) == want[f"random_crop_{seed}"] and img.shape == (8, 10, 3)
        x0, y0, w, h = region
        np.testing.assert_array_equal(img.asnumpy(), BIG[y0:y0 + h, x0:x0 + w])
        random.seed(seed)
        img, region = mx.image.random_size_crop(u8(BIG), (8, 8), 0.08, (3 / 4, 4 / 3))
        assert list(region) == want[f"random_size_crop_{seed}"] and img.shape == (8, 8, 3)
    img, region = mx.image.center_crop(u8(BIG), (30, 10))
    assert list(region) == want["center_crop"] and img.shape == (10, 30, 3)
    np.testing.assert_array_equal(mx.image.fixed_crop(u8(BIG), 3, 2, 5, 4).asnumpy(),
                                  BIG[2:6, 3:8])
    assert mx.image.fixed_crop(u8(BIG), 20, 18, 9, 9).shape == (2, 4, 3)  # clipped, as MXNet
    with pytest.raises(ValueError, match=r"center_crop: expected an \(H, W, C\) image"):
        mx.image.center_crop(u8(BIG[:, :, 0]), (4, 4))


def test_copy_make_border_types():
    small = u8(SRC[:3, :4])
    for t in range(5):
        got = mx.image.copyMakeBorder(small, 2, 1, 3, 2, type=t, value=7)
        np.testing.assert_array_equal(got.asnumpy(), CASES["border"][str(t)])
    per_channel = mx.image.copyMakeBorder(small, 1, 0, 0, 0, values=(1, 2, 3)).asnumpy()
    assert per_channel[0].tolist() == [[1, 2, 3]] * 4
    with pytest.raises(MXNetError, match="type must be 0..4"):
        mx.image.copyMakeBorder(small, 1, 1, 1, 1, type=5)


def test_color_normalize_in_place():
    x = mx.nd.array(SRC, dtype=np.float32)
    mean, std = mx.nd.array([1.0, 2.0, 3.0]), mx.nd.array([2.0, 4.0, 8.0])
    assert mx.image.color_normalize(x, mean, std) is x
    np.testing.assert_allclose(x.asnumpy(), (SRC - [1, 2, 3]) / [2, 4, 8], rtol=1e-6)


def test_create_augmenter_lists_like_mxnet():
    for cfg, want in zip(make_image.AUG_CONFIGS, CASES["create_augmenter"]):
        assert [a.dumps() for a in mx.image.CreateAugmenter(**cfg)] == want
    with pytest.raises(ValueError, match="rand_resize=True needs rand_crop=True"):
        mx.image.CreateAugmenter((3, 4, 4), rand_resize=True)
    with pytest.raises(ValueError, match="mean must be True, None or an array"):
        mx.image.CreateAugmenter((3, 4, 4), mean=[1, 2])


def test_seeded_augmenters_like_mxnet():
    eigval, eigvec = make_image.AUG_EIGVAL, make_image.AUG_EIGVEC
    augs = {"brightness": mx.image.BrightnessJitterAug(0.3),
            "contrast": mx.image.ContrastJitterAug(0.3),
            "saturation": mx.image.SaturationJitterAug(0.3),
            "hue": mx.image.HueJitterAug(0.3), "gray": mx.image.RandomGrayAug(0.5),
            "lighting": mx.image.LightingAug(0.1, eigval, eigvec)}
    want = CASES["seeded"]
    for name, aug in augs.items():
        for seed in (1, 2):
            random.seed(seed)
            np.random.seed(seed)
            got = aug(mx.nd.array(BIG, dtype=np.float32))
            assert got.dtype == np.float32
            np.testing.assert_allclose(got.asnumpy(), want[f"{name}_{seed}"], atol=2e-3,
                                       rtol=1e-5, err_msg=f"{name} seed {seed}")
    random.seed(5)
    flips = mx.image.HorizontalFlipAug(0.5)
    assert [int((flips(u8(BIG)).asnumpy() != BIG).any()) for _ in range(8)] == want["flips"]
    jitter = mx.image.ColorJitterAug(0.1, 0.2, 0.3)
    random.seed(3)
    jitter(mx.nd.array(BIG, dtype=np.float32))
    assert [t.dumps() for t in jitter.ts] == want["jitter_order"]
    assert jitter.dumps()[0] == "colorjitteraug"


def test_create_augmenter_pipelines_like_mxnet():
    for k, cfg in enumerate(make_image.AUG_CONFIGS):
        random.seed(10 + k)
        np.random.seed(10 + k)
        img = u8(BIG)
        for aug in mx.image.CreateAugmenter(**cfg):
            img = aug(img)
        want = np.array(CASES["seeded"][f"pipeline_{k}"])
        assert img.dtype == np.float32 and img.shape == want.shape
        # 0 only crops; 1 and 2 resize (1 level of uint8 rounding), then 1 divides by
        # std (>= 57: 0.02) and 2 jitters colours (gains up to 1.3: 1.5 levels)
        np.testing.assert_allclose(img.asnumpy(), want, atol=[2e-3, 0.02, 1.5][k])


def _batches(it):
    return [(b.data[0].asnumpy()[:, 0, 0, 0].tolist(), b.label[0].asnumpy().tolist(), b.pad)
            for b in it]


@pytest.fixture
def iter_files(tmp_path):
    make_image.write_iter_files(str(tmp_path), mx.recordio)
    return str(tmp_path)


@pytest.mark.parametrize("mode", ["pad", "discard", "roll_over"])
def test_image_iter_batches_like_mxnet(iter_files, mode):
    f = iter_files
    sources = {"lst": dict(path_imglist=os.path.join(f, "list.lst"), path_root=f,
                           label_width=2),
               "rec": dict(path_imgrec=os.path.join(f, "imgs.rec")),
               "recidx": dict(path_imgrec=os.path.join(f, "imgs.rec"),
                              path_imgidx=os.path.join(f, "imgs.idx"))}
    for name, kw in sources.items():
        it = mx.image.ImageIter(2, (3, 4, 5), last_batch_handle=mode, **kw)
        epochs = []
        for _ in range(2):
            epochs.append(_batches(it))
            it.reset()
        assert json.loads(json.dumps(epochs)) == CASES["iter"][f"{name}_{mode}"], name


def test_image_iter_shapes_partition_and_list(iter_files):
    f = iter_files
    it = mx.image.ImageIter(2, (3, 4, 5), path_imgrec=os.path.join(f, "imgs.rec"),
                            path_imgidx=os.path.join(f, "imgs.idx"), num_parts=2,
                            part_index=1)
    assert json.loads(json.dumps([_batches(it)])) == CASES["iter"]["recidx_part1"]
    assert it.provide_data == [("data", (2, 3, 4, 5))]
    assert it.provide_label == [("softmax_label", (2,))]
    it = mx.image.ImageIter(2, (3, 6, 7), imglist=[[7.0, "img1.png"], [3.0, "img2.png"]],
                            path_root=f, aug_list=[])
    batch = it.next()
    assert batch.data[0].dtype == np.float32 and batch.data[0].shape == (2, 3, 6, 7)
    assert batch.data[0].asnumpy()[:, :, 3, 3].tolist() == [[40] * 3, [70] * 3]
    assert batch.label[0].asnumpy().tolist() == [7.0, 3.0]
    it = mx.image.ImageIter(5, (3, 4, 4), path_imgrec=os.path.join(f, "imgs.rec"),
                            path_imgidx=os.path.join(f, "imgs.idx"), shuffle=True)
    random.seed(0)
    it.reset()
    labels = it.next().label[0].asnumpy().tolist()
    assert sorted(labels) == [0, 1, 2, 3, 4] and labels != [0, 1, 2, 3, 4]


def test_image_iter_errors(iter_files):
    rec = os.path.join(iter_files, "imgs.rec")
    with pytest.raises(ValueError, match="give path_imgrec, path_imglist or imglist"):
        mx.image.ImageIter(2, (3, 4, 4))
    with pytest.raises(ValueError, match=r"data_shape must be \(3, H, W\), got \(1, 4, 4\)"):
        mx.image.ImageIter(2, (1, 4, 4), path_imgrec=rec)
    with pytest.raises(ValueError, match="shuffle and num_parts > 1 on a .rec file need"):
        mx.image.ImageIter(2, (3, 4, 4), path_imgrec=rec, shuffle=True)
    with pytest.raises(ValueError, match="last_batch_handle must be one of"):
        mx.image.ImageIter(2, (3, 4, 4), path_imgrec=rec, last_batch_handle="wrap")
    broken = os.path.join(iter_files, "broken.png")
    with open(broken, "wb") as fout:
        fout.write(b"not an image")
    it = mx.image.ImageIter(1, (3, 4, 4), imglist=[[0.0, "broken.png"]], path_root=iter_files)
    with pytest.raises(RuntimeError, match="Broken image filename: broken.png"):
        it.next()


def test_imrotate_and_random_rotate_match_mxnet():
    """Values frozen from MXNet 1.9.1 (tests/data/mxnet/make_imrotate.py)."""
    import json
    import os
    with open(os.path.join(os.path.dirname(__file__), "data", "mxnet", "imrotate.json")) as f:
        want = json.load(f)
    img = mx.nd.array(np.arange(2 * 5 * 7).reshape(2, 5, 7).astype("float32"))
    for key, expected in want.items():
        if key == "random":
            continue
        deg, zi, zo = key.rsplit("-", 2)
        got = mx.image.imrotate(img, int(deg), zoom_in=zi == "True", zoom_out=zo == "True")
        np.testing.assert_allclose(got.asnumpy(), expected, atol=2e-4, err_msg=key)
    np.random.seed(3)
    got = mx.image.random_rotate(mx.nd.stack(img, img * 2), (-30, 30))
    np.testing.assert_allclose(got.asnumpy(), want["random"], atol=2e-4)
    np.testing.assert_allclose(mx.image.imrotate(img, 0).asnumpy(), img.asnumpy(), atol=1e-5)
    with pytest.raises(TypeError):
        mx.image.imrotate(img.astype("uint8"), 3)
    with pytest.raises(ValueError):
        mx.image.imrotate(img, 3, zoom_in=True, zoom_out=True)


def test_rotate_transforms_match_mxnet():
    """gluon transforms ``Rotate``/``RandomRotation`` (values frozen from MXNet 1.9.1)."""
    from pymx.gluon.data.vision import transforms as T
    img = mx.nd.array(np.arange(3 * 4 * 6).reshape(3, 4, 6).astype("float32"))
    np.testing.assert_allclose(T.Rotate(30)(img).asnumpy()[1, 1],
                               [20.086, 27.353, 31.219, 35.085, 38.951, 42.817], atol=2e-3)
    np.random.seed(0)
    rr = T.RandomRotation((-20, 20), zoom_in=True, rotate_with_proba=0.7)
    rows = [rr(img).asnumpy()[0, 1] for _ in range(3)]
    np.testing.assert_allclose(rows, [[5.229, 6.784, 8.339, 9.894, 11.449, 13.005],
                                      [5.813, 6.948, 8.082, 9.217, 10.352, 11.486],
                                      [5.446, 6.845, 8.244, 9.642, 11.041, 12.44]], atol=2e-3)
    with pytest.raises(ValueError):
        T.RandomRotation((5, 1))
    with pytest.raises(TypeError):
        T.Rotate(3)(img.astype("uint8"))
