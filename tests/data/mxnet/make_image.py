"""Write ``image_cases.json`` with **real MXNet 1.9.1** (``mx.image``, OpenCV inside).

Run it with the side virtualenv (not part of pymx and not needed to run the tests)::

    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python tests/data/mxnet/make_image.py

The inputs are made here, without OpenCV or Pillow: seeded NumPy images, encoded as PNG
by ``png`` (a dozen lines of zlib), which ``tests/test_image.py`` also uses.  Recorded:
decoding (flag, to_rgb, gray and RGBA files), ``imresize`` for every interpolation code
(enlarging, shrinking, mixed), ``resize_short`` sizes, ``scale_down``, crop regions
under ``random.seed``, ``copyMakeBorder`` types, ``CreateAugmenter`` lists, seeded
augmenter outputs, and the batches of ``ImageIter`` over a ``.lst`` and a ``.rec`` file
for each ``last_batch_handle``.
"""
import json
import os
import random
import struct
import sys
import tempfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def png(arr):
    """PNG bytes of a uint8 image (H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA."""
    arr = np.asarray(arr, dtype=np.uint8)
    h, w = arr.shape[:2]
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    colour_type = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + arr[y].tobytes() for y in range(h))   # filter 0 per row

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def images():
    """The test images: ``src`` (random), ``smooth`` (ramps), ``big`` (20 x 24)."""
    rng = np.random.RandomState(0)
    src = rng.randint(0, 256, (13, 17, 3)).astype(np.uint8)
    yy, xx = np.mgrid[0:13, 0:17]
    smooth = np.stack([yy * 15, xx * 12, (yy + xx) * 7], -1).astype(np.uint8)
    big = rng.randint(0, 256, (20, 24, 3)).astype(np.uint8)
    return src, smooth, big


RESIZE_SIZES = [(31, 27), (7, 5), (9, 20)]
SHORT_CASES = [((13, 17), 8), ((17, 13), 8), ((10, 10), 4), ((7, 30), 9)]
SCALE_DOWN_CASES = [((640, 480), (720, 120)), ((17, 13), (8, 8)), ((10, 30), (20, 20)),
                    ((30, 10), (20, 20)), ((5, 5), (3, 9))]
AUG_CONFIGS = [dict(data_shape=(3, 10, 12)),
               dict(data_shape=(3, 10, 12), resize=16, rand_crop=True, rand_mirror=True,
                    mean=True, std=True, inter_method=1),
               dict(data_shape=(3, 8, 8), rand_crop=True, rand_resize=True, brightness=0.1,
                    contrast=0.2, saturation=0.3, hue=0.1, pca_noise=0.05, rand_gray=0.2)]
AUG_EIGVAL = np.array([55.46, 4.794, 1.148])           # ImageNet's RGB PCA
AUG_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009],
                       [-0.5808, -0.0045, -0.8140],
                       [-0.5836, -0.6948, 0.4203]])
ITER_COLOURS = [10, 40, 70, 100, 130]            # five solid images, told apart by value


def lst_lines():
    """The ``.lst`` file: index, two labels, file name."""
    return [f"{i}\t{i}.5\t{-i}\timg{i}.png\n" for i in range(len(ITER_COLOURS))]


def write_iter_files(folder, recordio):
    """Five solid 6 x 7 PNGs, their .lst, and a .rec/.idx of the same images."""
    for i, c in enumerate(ITER_COLOURS):
        with open(os.path.join(folder, f"img{i}.png"), "wb") as f:
            f.write(png(np.full((6, 7, 3), c, np.uint8)))
    with open(os.path.join(folder, "list.lst"), "w") as f:
        f.writelines(lst_lines())
    rec = recordio.MXIndexedRecordIO(os.path.join(folder, "imgs.idx"),
                                     os.path.join(folder, "imgs.rec"), "w")
    for i, c in enumerate(ITER_COLOURS):
        header = recordio.IRHeader(0, float(i), i, 0)
        rec.write_idx(i, recordio.pack(header, png(np.full((6, 7, 3), c, np.uint8))))
    rec.close()


def iter_cases(mx, folder):
    """For each source and last_batch_handle, 2 epochs of (row values, labels, pad)."""
    cases = {}
    for mode in ("pad", "discard", "roll_over"):
        sources = {
            "lst": dict(path_imglist=os.path.join(folder, "list.lst"), path_root=folder,
                        label_width=2),
            "rec": dict(path_imgrec=os.path.join(folder, "imgs.rec")),
            "recidx": dict(path_imgrec=os.path.join(folder, "imgs.rec"),
                           path_imgidx=os.path.join(folder, "imgs.idx")),
        }
        for name, kw in sources.items():
            it = mx.image.ImageIter(2, (3, 4, 5), last_batch_handle=mode, **kw)
            epochs = []
            for _ in range(2):
                epochs.append([(b.data[0].asnumpy()[:, 0, 0, 0].tolist(),
                                b.label[0].asnumpy().tolist(), b.pad) for b in it])
                it.reset()
            cases[f"{name}_{mode}"] = epochs
    it = mx.image.ImageIter(2, (3, 4, 5), path_imgrec=os.path.join(folder, "imgs.rec"),
                            path_imgidx=os.path.join(folder, "imgs.idx"), num_parts=2,
                            part_index=1)
    cases["recidx_part1"] = [[(b.data[0].asnumpy()[:, 0, 0, 0].tolist(),
                               b.label[0].asnumpy().tolist(), b.pad) for b in it]]
    return cases


def rounded(x):
    """A float NDArray as nested lists of 3-decimal numbers (a smaller file)."""
    return np.round(x.asnumpy().astype(np.float64), 3).tolist()


def main():
    import mxnet as mx
    src, smooth, big = images()
    out = {}
    nd = lambda a: mx.nd.array(a, dtype=np.uint8)  # noqa: E731
    gray = (src[:, :, 0] // 2 + 20).astype(np.uint8)
    rgba = np.concatenate([src, np.full((13, 17, 1), 128, np.uint8)], axis=2)
    out["decode"] = {
        "flag0": mx.image.imdecode(png(src), flag=0).asnumpy().tolist(),
        "bgr": mx.image.imdecode(png(src), to_rgb=0).asnumpy().tolist(),
        "gray_file_flag1": mx.image.imdecode(png(gray)).asnumpy().tolist(),
        "rgba_file": mx.image.imdecode(png(rgba)).asnumpy().tolist(),
    }
    out["resize"] = {f"{name}_{interp}_{w}x{h}": mx.image.imresize(
        nd(a), w, h, interp=interp).asnumpy().tolist()
        for name, a in (("src", src), ("smooth", smooth[:7, :9])) for interp in range(5)
        for w, h in RESIZE_SIZES}
    out["resize_short"] = [list(mx.image.resize_short(nd(np.zeros(hw + (3,))), s).shape)
                           for hw, s in SHORT_CASES]
    out["scale_down"] = [list(mx.image.scale_down(a, b)) for a, b in SCALE_DOWN_CASES]
    regions = {}
    for seed in range(4):
        random.seed(seed)
        regions[f"random_crop_{seed}"] = list(mx.image.random_crop(nd(big), (10, 8))[1])
        random.seed(seed)
        regions[f"random_size_crop_{seed}"] = list(mx.image.random_size_crop(
            nd(big), (8, 8), 0.08, (3 / 4, 4 / 3))[1])
    regions["center_crop"] = list(mx.image.center_crop(nd(big), (30, 10))[1])
    out["regions"] = regions
    out["border"] = {str(t): mx.image.copyMakeBorder(nd(src[:3, :4]), 2, 1, 3, 2, type=t,
                                                     value=7).asnumpy().tolist()
                     for t in range(5)}
    out["create_augmenter"] = [[a.dumps() for a in mx.image.CreateAugmenter(**cfg)]
                               for cfg in AUG_CONFIGS]
    f32 = lambda: mx.nd.array(big, dtype=np.float32)  # noqa: E731
    augs = {"brightness": mx.image.BrightnessJitterAug(0.3),
            "contrast": mx.image.ContrastJitterAug(0.3),
            "saturation": mx.image.SaturationJitterAug(0.3),
            "hue": mx.image.HueJitterAug(0.3),
            "gray": mx.image.RandomGrayAug(0.5),
            "lighting": mx.image.LightingAug(0.1, AUG_EIGVAL, AUG_EIGVEC)}
    seeded = {}
    for name, aug in augs.items():
        for seed in (1, 2):
            random.seed(seed)
            np.random.seed(seed)
            seeded[f"{name}_{seed}"] = rounded(aug(f32()))
    random.seed(5)
    flips = mx.image.HorizontalFlipAug(0.5)
    seeded["flips"] = [int((flips(nd(big)).asnumpy() != big).any()) for _ in range(8)]
    jitter = mx.image.ColorJitterAug(0.1, 0.2, 0.3)
    random.seed(3)
    jitter(f32())
    seeded["jitter_order"] = [t.dumps() for t in jitter.ts]
    for k, cfg in enumerate(AUG_CONFIGS):
        random.seed(10 + k)
        np.random.seed(10 + k)
        img = nd(big)
        for aug in mx.image.CreateAugmenter(**cfg):
            img = aug(img)
        seeded[f"pipeline_{k}"] = rounded(img)
    out["seeded"] = seeded
    with tempfile.TemporaryDirectory() as folder:
        write_iter_files(folder, mx.recordio)
        out["iter"] = iter_cases(mx, folder)
    with open(os.path.join(HERE, "image_cases.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote image_cases.json with MXNet", mx.__version__, file=sys.stderr)


if __name__ == "__main__":
    main()
