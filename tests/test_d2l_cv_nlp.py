"""d2l.ai (MXNet tab) computer-vision and NLP chapters under ``npx.set_np()``.

Each test runs a chapter's code (helpers inlined, small synthetic data, weights from
``npx.random.seed``) and compares with numbers printed by MXNet 1.9.1 for the very
same script (frozen from MXNet 1.9.1, pip wheel, ``OPENBLAS_CORETYPE=SkylakeX``).
pymx reproduces MXNet's CPU random streams, so even the initial weights, the
``randint`` draws and the Dropout masks are MXNet's, and short training runs give
MXNet's losses.
"""
import math

import numpy as onp
import pytest

import pymx as mx
from pymx import autograd, gluon, init, np, npx
from pymx.base import MXNetError
from pymx.gluon import nn, rnn


@pytest.fixture(autouse=True)
def _np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def close(got, want, atol=1e-4):
    got = got.asnumpy() if hasattr(got, "asnumpy") else onp.asarray(got)
    onp.testing.assert_allclose(got, onp.asarray(want, dtype="float64"), rtol=1e-4,
                                atol=atol)


# ---- 14.4 anchor boxes ---------------------------------------------------------------
def box_corner_to_center(boxes):
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return np.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), axis=-1)


def box_center_to_corner(boxes):
    cx, cy, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return np.stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), axis=-1)


def box_iou(boxes1, boxes2):
    box_area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # noqa: E731
    areas1, areas2 = box_area(boxes1), box_area(boxes2)
    inter_upperlefts = np.maximum(boxes1[:, None, :2], boxes2[:, :2])
    inter_lowerrights = np.minimum(boxes1[:, None, 2:], boxes2[:, 2:])
    inters = (inter_lowerrights - inter_upperlefts).clip(min=0)
    inter_areas = inters[:, :, 0] * inters[:, :, 1]
    return inter_areas / (areas1[:, None] + areas2 - inter_areas)


def assign_anchor_to_bbox(ground_truth, anchors, device, iou_threshold=0.5):
    num_anchors, num_gt_boxes = anchors.shape[0], ground_truth.shape[0]
    jaccard = box_iou(anchors, ground_truth)
    anchors_bbox_map = np.full((num_anchors,), -1, dtype=np.int32, ctx=device)
    max_ious, indices = np.max(jaccard, axis=1), np.argmax(jaccard, axis=1)
    anc_i = np.nonzero(max_ious >= iou_threshold)[0]
    box_j = indices[max_ious >= iou_threshold]
    anchors_bbox_map[anc_i] = box_j
    col_discard = np.full((num_anchors,), -1)
    row_discard = np.full((num_gt_boxes,), -1)
    for _ in range(num_gt_boxes):
        max_idx = np.argmax(jaccard)
        box_idx = (max_idx % num_gt_boxes).astype('int32')
        anc_idx = (max_idx / num_gt_boxes).astype('int32')
        anchors_bbox_map[anc_idx] = box_idx
        jaccard[:, box_idx] = col_discard
        jaccard[anc_idx, :] = row_discard
    return anchors_bbox_map


def offset_boxes(anchors, assigned_bb, eps=1e-6):
    c_anc, c_bb = box_corner_to_center(anchors), box_corner_to_center(assigned_bb)
    offset_xy = 10 * (c_bb[:, :2] - c_anc[:, :2]) / c_anc[:, 2:]
    offset_wh = 5 * np.log(eps + c_bb[:, 2:] / c_anc[:, 2:])
    return np.concatenate([offset_xy, offset_wh], axis=1)


def multibox_target(anchors, labels):
    batch_size, anchors = labels.shape[0], anchors.squeeze(0)
    batch_offset, batch_mask, batch_class_labels = [], [], []
    device, num_anchors = anchors.ctx, anchors.shape[0]
    for i in range(batch_size):
        label = labels[i, :, :]
        anchors_bbox_map = assign_anchor_to_bbox(label[:, 1:], anchors, device)
        bbox_mask = np.tile((np.expand_dims((anchors_bbox_map >= 0), axis=-1)),
                            (1, 4)).astype('int32')
        class_labels = np.zeros(num_anchors, dtype=np.int32, ctx=device)
        assigned_bb = np.zeros((num_anchors, 4), dtype=np.float32, ctx=device)
        indices_true = np.nonzero(anchors_bbox_map >= 0)[0]
        bb_idx = anchors_bbox_map[indices_true]
        class_labels[indices_true] = label[bb_idx, 0].astype('int32') + 1
        assigned_bb[indices_true] = label[bb_idx, 1:]
        offset = offset_boxes(anchors, assigned_bb) * bbox_mask
        batch_offset.append(offset.reshape(-1))
        batch_mask.append(bbox_mask.reshape(-1))
        batch_class_labels.append(class_labels)
    return np.stack(batch_offset), np.stack(batch_mask), np.stack(batch_class_labels)


GROUND_TRUTH = [[0, 0.1, 0.08, 0.52, 0.92], [1, 0.55, 0.2, 0.9, 0.88]]
ANCHORS = [[0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98],
           [0.66, 0.45, 0.8, 0.8], [0.57, 0.3, 0.92, 0.9]]
# frozen from MXNet 1.9.1 (d2l's example, both the np code and npx.multibox_target)
OFFSETS = [0, 0, 0, 0, 1.4, 10, 2.594, 7.175, -1.2, 0.269, 1.682, -1.565,
           0, 0, 0, 0, -0.571, -1, 0, 0.626]
MASK = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]


def test_multibox_prior_and_box_iou():
    x = np.zeros((1, 3, 40, 60))
    y = npx.multibox_prior(x, sizes=[0.75, 0.5, 0.25], ratios=[1, 2, 0.5])
    assert y.shape == (1, 12000, 4) and y.dtype == onp.float32
    boxes = y.reshape(40, 60, 5, 4)
    close(boxes[25, 25, 0, :], [0.175, 0.2625, 0.675, 1.0125])   # frozen from MXNet 1.9.1
    close(boxes[0, 0, :, :], [[-0.2417, -0.3625, 0.2583, 0.3875],
                              [-0.1583, -0.2375, 0.175, 0.2625],
                              [-0.075, -0.1125, 0.0917, 0.1375],
                              [-0.3452, -0.2527, 0.3619, 0.2777],
                              [-0.1684, -0.5178, 0.1851, 0.5428]])
    gt, anchors = np.array(GROUND_TRUTH), np.array(ANCHORS)
    close(box_iou(anchors, gt[:, 1:]), [[0.0536, 0], [0.1417, 0], [0, 0.5657],
                                        [0, 0.2059], [0, 0.7459]])
    close(box_center_to_corner(box_corner_to_center(anchors)), ANCHORS)
    # multiscale anchors on feature maps of one pixel, clipped, custom steps/offsets
    a = npx.multibox_prior(np.zeros((1, 10, 1, 1)), sizes=[0.8], ratios=[1, 2, 0.5])
    close(a[0] * np.array((728, 561, 728, 561)),
          [[72.8, 56.1, 655.2, 504.9], [-47.819, 121.825, 775.819, 439.175],
           [158.09, -36.85, 569.91, 597.85]], atol=0.01)


def test_multibox_target_np_and_npx():
    gt, anchors = np.array(GROUND_TRUTH), np.array(ANCHORS)
    offset, mask, cls = multibox_target(np.expand_dims(anchors, 0), np.expand_dims(gt, 0))
    assert cls.dtype == onp.int32 and mask.dtype == onp.int32
    assert cls.asnumpy().tolist() == [[0, 1, 2, 0, 2]]
    assert mask.asnumpy().tolist() == [MASK]
    close(offset, [OFFSETS], atol=1e-3)
    out = npx.multibox_target(np.expand_dims(anchors, 0), np.expand_dims(gt, 0),
                              np.zeros((1, 3, 5)))
    assert [o.shape for o in out] == [(1, 20), (1, 20), (1, 5)]
    assert all(o.dtype == onp.float32 for o in out)
    close(out[0], [OFFSETS], atol=1e-3)
    close(out[1], [MASK])
    close(out[2], [[0, 1, 2, 0, 2]])


def test_multibox_detection_and_nms():
    anchors = np.array([[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95],
                        [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]])
    offset_preds = np.array([0] * anchors.size)
    cls_probs = np.array([[0] * 4, [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]])
    B = cls_probs[1].argsort()
    assert B.dtype == onp.int64 and B[::-1].asnumpy().tolist() == [0, 1, 2, 3]
    args = (np.expand_dims(cls_probs, 0), np.expand_dims(offset_preds, 0),
            np.expand_dims(anchors, 0))
    out = npx.multibox_detection(*args, nms_threshold=0.5)
    # frozen from MXNet 1.9.1
    close(out, [[[0, 0.9, 0.1, 0.08, 0.52, 0.92], [1, 0.9, 0.55, 0.2, 0.9, 0.88],
                 [-1, 0.8, 0.08, 0.2, 0.56, 0.95], [-1, 0.7, 0.15, 0.3, 0.62, 0.91]]])
    out = npx.multibox_detection(*args, nms_threshold=0.5, force_suppress=True, nms_topk=3)
    close(out[0, 3], [-1, 0.9, 0.55, 0.2, 0.9, 0.88])
    u, idx, inv, c = np.unique(np.array([3, 1, 3, 2, 1]), return_index=True,
                               return_inverse=True, return_counts=True)
    assert (u.asnumpy().tolist(), idx.asnumpy().tolist(), inv.asnumpy().tolist(),
            c.asnumpy().tolist()) == ([1, 2, 3], [1, 3, 0], [2, 0, 2, 1, 0], [2, 1, 2])


# ---- 14.7 SSD ----------------------------------------------------------------------
def _ssd_net():
    def down_sample_blk(num_channels):
        blk = nn.Sequential()
        for _ in range(2):
            blk.add(nn.Conv2D(num_channels, kernel_size=3, padding=1),
                    nn.BatchNorm(in_channels=num_channels), nn.Activation('relu'))
        blk.add(nn.MaxPool2D(2))
        return blk

    def get_blk(i):
        if i == 0:
            blk = nn.Sequential()
            for num_filters in [16, 32, 64]:
                blk.add(down_sample_blk(num_filters))
            return blk
        return nn.GlobalMaxPool2D() if i == 4 else down_sample_blk(128)

    def flatten_pred(pred):
        return npx.batch_flatten(pred.transpose(0, 2, 3, 1))

    def concat_preds(preds):
        return np.concatenate([flatten_pred(p) for p in preds], axis=1)

    sizes = [[0.2, 0.272], [0.37, 0.447], [0.54, 0.619], [0.71, 0.79], [0.88, 0.961]]
    ratios = [[1, 2, 0.5]] * 5
    num_anchors = len(sizes[0]) + len(ratios[0]) - 1

    class TinySSD(nn.Block):
        def __init__(self, num_classes, **kwargs):
            super().__init__(**kwargs)
            self.num_classes = num_classes
            for i in range(5):
                setattr(self, f'blk_{i}', get_blk(i))
                setattr(self, f'cls_{i}', nn.Conv2D(num_anchors * (num_classes + 1),
                                                    kernel_size=3, padding=1))
                setattr(self, f'bbox_{i}', nn.Conv2D(num_anchors * 4, kernel_size=3,
                                                     padding=1))

        def forward(self, X):
            anchors, cls_preds, bbox_preds = [None] * 5, [None] * 5, [None] * 5
            for i in range(5):
                X = getattr(self, f'blk_{i}')(X)
                anchors[i] = npx.multibox_prior(X, sizes=sizes[i], ratios=ratios[i])
                cls_preds[i] = getattr(self, f'cls_{i}')(X)
                bbox_preds[i] = getattr(self, f'bbox_{i}')(X)
            anchors = np.concatenate(anchors, axis=1)
            cls_preds = concat_preds(cls_preds)
            cls_preds = cls_preds.reshape(cls_preds.shape[0], -1, self.num_classes + 1)
            return anchors, cls_preds, concat_preds(bbox_preds)
    return TinySSD(num_classes=1)


def test_tiny_ssd_training_matches_mxnet():
    npx.random.seed(1)
    X = np.random.uniform(size=(2, 3, 64, 64))
    net = _ssd_net()
    net.initialize(init=init.Xavier())
    anchors, cls_preds, bbox_preds = net(X)
    assert (anchors.shape, cls_preds.shape, bbox_preds.shape) == \
        ((1, 344, 4), (2, 344, 2), (2, 1376))
    close(anchors[0, :3], [[-0.0375, -0.0375, 0.1625, 0.1625],
                           [-0.0735, -0.0735, 0.1985, 0.1985],
                           [-0.0789, -0.0082, 0.2039, 0.1332]])
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': 0.2, 'wd': 5e-4})
    cls_loss, bbox_loss = gluon.loss.SoftmaxCrossEntropyLoss(), gluon.loss.L1Loss()
    Y = np.array([[[0, 0.1, 0.1, 0.5, 0.6]], [[0, 0.3, 0.2, 0.9, 0.8]]])
    losses, correct = [], []
    for _ in range(3):
        with autograd.record():
            anchors, cls_preds, bbox_preds = net(X)
            bbox_labels, bbox_masks, cls_labels = npx.multibox_target(
                anchors, Y, cls_preds.transpose(0, 2, 1))
            l = (cls_loss(cls_preds, cls_labels) +
                 bbox_loss(bbox_preds * bbox_masks, bbox_labels * bbox_masks))
        l.backward()
        trainer.step(X.shape[0])
        losses.append(float(l.mean()))
        correct.append(float((cls_preds.argmax(axis=-1).astype(cls_labels.dtype)
                              == cls_labels).sum()))
    # frozen from MXNet 1.9.1
    onp.testing.assert_allclose(losses, [0.79547, 0.067513, 0.035759], rtol=1e-2)
    assert correct == [399.0, 672.0, 685.0]
    assert float(bbox_masks.sum()) == 32.0 and float(cls_labels.sum()) == 8.0
    anchors, cls_preds, bbox_preds = net(X[:1])
    output = npx.multibox_detection(npx.softmax(cls_preds).transpose(0, 2, 1),
                                    bbox_preds, anchors)
    assert output.shape == (1, 344, 6)
    assert sum(1 for row in output[0].asnumpy() if row[0] != -1) == 107


# ---- 14.8 R-CNN, 14.10 transposed convolution, 14.11 FCN ----------------------------
def test_roi_pooling_forward_and_gradient():
    X = np.arange(16).reshape(1, 1, 4, 4)
    rois = np.array([[0, 0, 0, 20, 20], [0, 0, 10, 30, 30]])
    X.attach_grad()
    with autograd.record():
        Y = npx.roi_pooling(X, rois, pooled_size=(2, 2), spatial_scale=0.1)
    Y.backward()
    # frozen from MXNet 1.9.1
    assert Y.asnumpy().tolist() == [[[[5, 6], [9, 10]]], [[[9, 11], [13, 15]]]]
    assert X.grad.asnumpy().tolist() == [[[[0, 0, 0, 0], [0, 1, 1, 0], [0, 2, 1, 1],
                                           [0, 1, 0, 1]]]]


def bilinear_kernel(in_channels, out_channels, kernel_size):
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    og = (np.arange(kernel_size).reshape(-1, 1), np.arange(kernel_size).reshape(1, -1))
    filt = (1 - np.abs(og[0] - center) / factor) * (1 - np.abs(og[1] - center) / factor)
    weight = np.zeros((in_channels, out_channels, kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return np.array(weight)


def test_transposed_convolution_and_bilinear_upsampling():
    X = np.array([[0.0, 1.0], [2.0, 3.0]]).reshape(1, 1, 2, 2)
    K = np.array([[0.0, 1.0], [2.0, 3.0]]).reshape(1, 1, 2, 2)
    results = []
    for kwargs in ({}, {"padding": 1}, {"strides": 2}):
        tconv = nn.Conv2DTranspose(1, kernel_size=2, **kwargs)
        tconv.initialize(init.Constant(K))
        results.append(tconv(X).asnumpy()[0, 0].tolist())
    # frozen from MXNet 1.9.1
    assert results == [[[0, 0, 1], [0, 4, 6], [4, 12, 9]], [[4]],
                       [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]]
    w = bilinear_kernel(3, 3, 4)
    close(w[0, 0], [[0.0625, 0.1875, 0.1875, 0.0625], [0.1875, 0.5625, 0.5625, 0.1875],
                    [0.1875, 0.5625, 0.5625, 0.1875], [0.0625, 0.1875, 0.1875, 0.0625]])
    assert float(w[0, 1].sum()) == 0.0 and float(w[2, 2].sum()) == 4.0
    conv_trans = nn.Conv2DTranspose(3, kernel_size=4, padding=1, strides=2)
    conv_trans.initialize(init.Constant(w))
    out = conv_trans(np.arange(3 * 5 * 5, dtype='float32').reshape(1, 3, 5, 5) / 10)
    assert out.shape == (1, 3, 10, 10)
    close(out[0, 1, :4, :4], [[1.406, 1.894, 1.931, 1.969], [1.969, 2.65, 2.7, 2.75],
                              [2.156, 2.9, 2.95, 3.0], [2.344, 3.15, 3.2, 3.25]], atol=1e-3)


def test_fcn_head_training_uses_mxnet_randint():
    npx.random.seed(3)
    num_classes = 21
    net = nn.HybridSequential()
    net.add(nn.Conv2D(8, 3, padding=1, strides=4), nn.Activation('relu'))
    net.add(nn.Conv2D(num_classes, kernel_size=1),
            nn.Conv2DTranspose(num_classes, kernel_size=8, padding=2, strides=4))
    net[-1].initialize(init.Constant(bilinear_kernel(num_classes, num_classes, 8)))
    net[-2].initialize(init=init.Xavier())
    net[0].initialize()
    X = np.random.uniform(size=(2, 3, 32, 48))
    assert net(X).shape == (2, 21, 32, 48)
    y = np.random.randint(0, num_classes, size=(2, 32, 48))
    assert y.dtype == onp.int64
    assert y[0, 0, :5].asnumpy().tolist() == [15, 18, 4, 11, 7]   # frozen from MXNet
    loss = gluon.loss.SoftmaxCrossEntropyLoss(axis=1)
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1, 'wd': 1e-3})
    losses = []
    for _ in range(3):
        with autograd.record():
            l = loss(net(X), y)
        l.backward()
        trainer.step(2)
        losses.append(float(l.mean()))
    onp.testing.assert_allclose(losses, [3.0457, 3.0454, 3.0452], rtol=1e-4)
    pred = net(X).argmax(axis=1)
    assert pred.dtype == onp.int64
    assert float((pred == y.astype(pred.dtype)).sum()) == 155.0


# ---- 14.12 neural style transfer --------------------------------------------------
def test_style_transfer_pieces():
    npx.random.seed(4)
    raw = np.random.randint(0, 256, size=(12, 16, 3)).astype('uint8')
    rgb_mean, rgb_std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    X = np.expand_dims(((raw.astype('float32') / 255 - rgb_mean) / rgb_std)
                       .transpose(2, 0, 1), axis=0)
    assert X.shape == (1, 3, 12, 16)
    close(X.mean(), 0.2526, atol=1e-4)                   # frozen from MXNet 1.9.1

    def gram(X):
        num_channels, n = X.shape[1], X.size // X.shape[1]
        X = X.reshape((num_channels, n))
        return np.dot(X, X.T) / (num_channels * n)

    class SynthesizedImage(nn.Block):
        def __init__(self, img_shape, **kwargs):
            super().__init__(**kwargs)
            self.weight = self.params.get('weight', shape=img_shape)

        def forward(self):
            return self.weight.data()

    gen = SynthesizedImage(X.shape)
    gen.initialize(init.Constant(X), force_reinit=True)
    trainer = gluon.Trainer(gen.collect_params(), 'adam', {'learning_rate': 0.3})
    img = gen()
    assert bool((img == X).all())
    target = gram(np.ones((1, 3, 12, 16)))
    for _ in range(2):
        with autograd.record():
            l = np.square(gram(img) - target).mean() + np.abs(img[:, :, 1:, :] -
                                                              img[:, :, :-1, :]).mean()
        l.backward()
        trainer.step(1)
    assert gram(img).shape == (3, 3)
    trainer.set_learning_rate(trainer.learning_rate * 0.8)
    assert round(trainer.learning_rate, 4) == 0.24


# ---- 15.x word2vec ------------------------------------------------------------------
def test_skip_gram_with_masked_sigmoid_bce():
    npx.random.seed(5)
    loss = gluon.loss.SigmoidBCELoss()
    pred = np.array([[1.1, -2.2, 3.3, -4.4]] * 2)
    label = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]])
    close(loss(pred, label, mask) * mask.shape[1] / mask.sum(axis=1), [0.9352, 1.8462])

    def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
        return npx.batch_dot(embed_v(center), embed_u(contexts_and_negatives).swapaxes(1, 2))

    net = nn.Sequential()
    net.add(nn.Embedding(input_dim=30, output_dim=8), nn.Embedding(input_dim=30, output_dim=8))
    # the Embedding the script built first consumed one draw of the stream
    nn.Embedding(input_dim=20, output_dim=4).initialize()
    net.initialize(force_reinit=True)
    trainer = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': 0.01})
    center = np.random.randint(0, 30, size=(4, 1)).astype('float32')
    ctx_neg = np.random.randint(0, 30, size=(4, 6)).astype('float32')
    mask = np.array([[1] * 6, [1] * 5 + [0], [1] * 4 + [0] * 2, [1] * 6], dtype='float32')
    label = np.array([[1, 1, 0, 0, 0, 0]] * 4, dtype='float32')
    assert skip_gram(center, ctx_neg, net[0], net[1]).shape == (4, 1, 6)
    losses = []
    for _ in range(3):
        with autograd.record():
            p = skip_gram(center, ctx_neg, net[0], net[1])
            l = loss(p.reshape(label.shape), label, mask) * mask.shape[1] / mask.sum(axis=1)
        l.backward()
        trainer.step(4)
        losses.append(float(l.sum()))
    assert len(losses) == 3 and losses[2] < losses[0]
    idx = npx.topk(np.array([3., 1, 2, 5]), k=2)
    assert idx.dtype == onp.float32 and idx.asnumpy().tolist() == [3, 0]


# ---- 11.x attention, 15.8-15.10 BERT ---------------------------------------------
def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return npx.softmax(X)
    shape = X.shape
    valid_lens = valid_lens.repeat(shape[1]) if valid_lens.ndim == 1 else \
        valid_lens.reshape(-1)
    X = npx.sequence_mask(X.reshape(-1, shape[-1]), valid_lens, True, value=-1e6, axis=1)
    return npx.softmax(X).reshape(shape)


def test_masked_softmax_and_bert_pieces():
    npx.random.seed(6)
    # frozen from MXNet 1.9.1
    close(masked_softmax(np.random.uniform(size=(2, 2, 4)), np.array([2, 3])),
          [[[0.4964, 0.5036, 0, 0], [0.603, 0.397, 0, 0]],
           [[0.3734, 0.2445, 0.3821, 0], [0.3615, 0.3847, 0.2538, 0]]])
    close(masked_softmax(np.random.uniform(size=(2, 2, 4)), np.array([[1, 3], [2, 4]])),
          [[[1, 0, 0, 0], [0.4232, 0.3407, 0.236, 0]],
           [[0.478, 0.522, 0, 0], [0.269, 0.2408, 0.2716, 0.2185]]])
    ln, bn = nn.LayerNorm(), nn.BatchNorm()
    ln.initialize()
    bn.initialize()
    X = np.array([[1, 2], [2, 3]])
    with autograd.record():
        close(ln(X), [[-0.99998, 0.99998]] * 2, atol=1e-5)
        close(bn(X), [[-0.99998, -0.99998], [0.99998, 0.99998]], atol=1e-5)
    # MaskLM's fancy indexing: np.repeat + np.arange pick (batch, position) rows
    encoded = np.arange(2 * 8 * 3).reshape(2, 8, 3)
    pred_positions = np.array([[1, 5, 2], [6, 1, 5]])
    batch_idx = np.repeat(np.arange(0, 2), 3)
    masked = encoded[batch_idx, pred_positions.reshape(-1)].reshape((2, 3, -1))
    assert masked[:, :, 0].asnumpy().tolist() == [[3, 15, 6], [42, 27, 39]]


def test_bert_encoder_pos_embedding_parameter():
    npx.random.seed(6)
    net = nn.Embedding(100, 16)

    class Encoder(nn.Block):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.token_embedding = net
            self.pos_embedding = self.params.get('pos_embedding', shape=(1, 1000, 16))

        def forward(self, tokens):
            X = self.token_embedding(tokens)
            return X + self.pos_embedding.data(ctx=X.ctx)[:, :X.shape[1], :]

    enc = Encoder()
    enc.initialize()
    out = enc(np.zeros((2, 8)))
    assert out.shape == (2, 8, 16)
    assert enc.pos_embedding.shape == (1, 1000, 16)


# ---- 16.x sentiment analysis and natural language inference ------------------------
def test_birnn_and_textcnn_shapes_and_reprs():
    npx.random.seed(7)
    encoder = rnn.LSTM(10, num_layers=2, bidirectional=True, input_size=8)
    decoder = nn.Dense(2)
    # frozen from MXNet 1.9.1: under npx.set_np() an unknown dimension prints as -1
    assert repr(decoder) == "Dense(-1 -> 2, linear)"
    assert decoder.weight.shape == (2, -1)
    assert repr(encoder) == "LSTM(8 -> 10, TNC, num_layers=2, bidirectional)"
    conv = nn.Conv1D(6, 3, activation='relu')
    assert repr(conv) == "Conv1D(-1 -> 6, kernel_size=(3,), stride=(1,), Activation(relu))"
    assert repr(nn.LayerNorm()) == \
        "LayerNorm(eps=1e-05, axis=-1, center=True, scale=True, in_channels=-1)"
    assert repr(nn.Conv2DTranspose(4, 2)).startswith("Conv2DTranspose(4 -> -1,")
    assert rnn.GRU(3).l0_i2h_weight.shape == (9, -1)
    encoder.initialize(init.Xavier())
    outputs = encoder(np.ones((7, 4, 8)))
    assert outputs.shape == (7, 4, 20)
    encoding = np.concatenate((outputs[0], outputs[-1]), axis=1)
    decoder.initialize()
    assert decoder(encoding).shape == (4, 2)
    assert decoder.weight.shape == (2, 40)
    pool = nn.GlobalMaxPool1D()
    a = np.arange(24).reshape(2, 3, 4)
    assert pool(a).shape == (2, 3, 1) and pool(a).asnumpy().ravel().tolist() == \
        [3, 7, 11, 15, 19, 23]
    npx.reset_np()                   # legacy shape semantics: 0 and None again
    d = nn.Dense(2)
    assert d.weight.shape == (2, 0) and repr(d) == "Dense(None -> 2, linear)"


def test_decomposable_attention_pieces():
    e = np.arange(24, dtype='float32').reshape(2, 3, 4) / 10
    attn = npx.batch_dot(npx.softmax(npx.batch_dot(e, e, transpose_b=True)), e)
    assert attn.shape == (2, 3, 4)
    x = np.array([[1, 2, 3, 4], [5, 6, 7, 8]], dtype='float32')
    # frozen from MXNet 1.9.1
    assert npx.sequence_mask(x, np.array([1, 3]), use_sequence_length=True, axis=1,
                             value=-1).asnumpy().tolist() == [[1, -1, -1, -1],
                                                              [5, 6, 7, -1]]


# ---- fixed differences found by this sweep ------------------------------------------
def test_randint_draws_mxnet_numbers():
    """``randint`` is ``low + rand_int64() % (high - low)`` from MXNet's parallel
    generator (two twister words per number), cast to the dtype."""
    npx.random.seed(3)
    # frozen from MXNet 1.9.1
    assert np.random.randint(0, 21, size=(6,), dtype='int32').asnumpy().tolist() == \
        [15, 18, 4, 11, 7, 6]
    npx.random.seed(3)
    a = np.random.randint(-5, 1000003, size=(200,)).asnumpy()   # 4 runs of 50
    assert a[:3].tolist() == [675502, 674302, 330557]
    assert a[64:67].tolist() == [109424, 499664, 415872]
    assert a[-3:].tolist() == [57149, 555283, 54221]
    assert np.random.randint(7, size=(3,)).asnumpy().tolist() == [0, 4, 1]
    for (lo, hi), want in {(-3, 2 ** 31 - 1): [1078264506, 1910165078, 962867501, 1003058790],
                           (-2 ** 31, 2 ** 31 - 1): [-1227035024, -1940368787, -497404729,
                                                     290422230],
                           (-3, 100): [16, 45, 93, 94]}.items():
        mx.random.seed(3)
        got = mx.nd.random.randint(lo, hi, shape=(4,))
        assert got.dtype == onp.int32 and got.asnumpy().tolist() == want


def test_bool_array_arithmetic_and_round():
    a, b = np.array([1, 0, 1]) > 0, np.array([1, 1, 0]) > 0
    # frozen from MXNet 1.9.1: + is or, * is and, ** and comparisons give bool
    assert (a == b).asnumpy().tolist() == [True, False, False]
    assert (a + b).dtype == onp.bool_ and (a + b).asnumpy().tolist() == [True] * 3
    assert (a * b).asnumpy().tolist() == [True, False, False]
    assert (a ** b).asnumpy().tolist() == [True, False, True]
    assert (a > b).asnumpy().tolist() == [False, False, True]
    for fn in (lambda: (a - b).asnumpy(), lambda: np.maximum(a, b).asnumpy(),
               lambda: (a % b).asnumpy()):
        with pytest.raises(MXNetError):
            fn()
    assert (a + 1).dtype == onp.int64
    m = a.copy()
    m += b
    assert m.dtype == onp.bool_ and m.asnumpy().tolist() == [True] * 3
    m = a.copy()
    m *= b
    assert m.asnumpy().tolist() == [True, False, False]
    i = np.array([1, 2, 3], dtype='int32')
    assert ((i > 1) * (i < 3)).asnumpy().tolist() == [False, True, False]
    c = i.cumsum()
    assert c.dtype == onp.int32 and c.asnumpy().tolist() == [1, 3, 6]
    assert a.cumsum().dtype == onp.int64 and a.cumsum().asnumpy().tolist() == [1, 1, 2]
    # round of a gathered array; halves to even, -0. kept
    t = np.array([[0.6891, -0.2], [-0.0004, 1.5]])[np.array([0, 1])]
    close(t.round(3), [[0.689, -0.2], [-0.0, 1.5]], atol=1e-6)
    assert onp.signbit(t.round(3).asnumpy()[1, 0])
    r = np.round(np.array([-0.5, 0.5, 1.5, -0.4, -1e-7]), 0).asnumpy()
    assert r.tolist() == [0, 0, 2, 0, 0] and list(onp.signbit(r)) == \
        [False, False, False, True, True]


def test_choice_and_shuffle_draw_mxnet_numbers():
    """``np.random.choice`` and ``shuffle`` run MXNet's algorithms on its serial
    generator (the one ``np.random.uniform``/``normal`` share)."""
    npx.random.seed(3)
    # frozen from MXNet 1.9.1
    assert np.random.choice(1000, 6).asnumpy().tolist() == [25, 259, 291, 363, 26, 906]
    close(np.random.normal(size=2), [-1.8773914575576782, 0.3169626295566559])
    npx.random.seed(3)
    c = np.random.choice(1000, 4, replace=False)
    assert c.dtype == onp.int64 and c.asnumpy().tolist() == [279, 527, 948, 363]
    assert np.random.choice(10, 10, replace=False).asnumpy().tolist() == list(range(10))
    npx.random.seed(3)
    assert np.random.choice(3, 5, p=np.array([0.2, 0.5, 0.3])).asnumpy().tolist() == [1] * 5
    npx.random.seed(5)
    p = np.array([0.1, 0.2, 0.05, 0.05, 0.3, 0.2, 0.1])
    assert np.random.choice(7, (2, 3), p=p).asnumpy().tolist() == [[5, 2, 5], [4, 1, 4]]
    assert np.random.choice(7, 3, replace=False, p=p).asnumpy().tolist() == [5, 0, 6]
    assert np.random.choice(np.array([1.5, 2.5, 3.5]), 4).asnumpy().tolist() == \
        [2.5, 1.5, 3.5, 2.5]
    npx.random.seed(3)
    x = np.arange(10)
    np.random.shuffle(x)
    assert x.asnumpy().tolist() == [0, 6, 8, 9, 7, 4, 5, 3, 1, 2]
    npx.random.seed(4)
    x = np.arange(12).reshape(6, 2)                     # rows: Fisher-Yates backwards
    np.random.shuffle(x)
    assert x[:, 0].asnumpy().tolist() == [10, 8, 0, 6, 4, 2]
    close(np.random.uniform(size=2), [0.5582482218742371, 0.1776348203420639])
    mx.random.seed(4)
    assert mx.nd.random.shuffle(mx.nd.arange(8)).asnumpy().tolist() == \
        [4, 7, 5, 6, 1, 0, 3, 2]


def test_np_shape_unknown_dims_are_minus_one_in_export(tmp_path):
    """Under ``npx.set_np()`` a deferred parameter's unknown dimensions are -1, in its
    shape, the block's repr and the exported symbol's ``__shape__`` attributes."""
    import json
    npx.random.seed(16)
    net = nn.HybridSequential()
    net.add(nn.Conv2D(4, 3, padding=1), nn.BatchNorm(), nn.Dense(2))
    net.initialize(init.Xavier())
    assert net[1].gamma.shape == (-1,) and net[0].weight.shape == (4, -1, 3, 3)
    net.hybridize()
    x = np.random.uniform(size=(2, 3, 4, 4))
    y = net(x)
    assert net[0].weight.shape == (4, 3, 3, 3) and net[2].weight.shape == (2, 64)
    net.export(str(tmp_path / "m"))
    nodes = json.load(open(tmp_path / "m-symbol.json"))["nodes"]
    shapes = {n["name"]: n.get("attrs", {}).get("__shape__") for n in nodes}
    # frozen from MXNet 1.9.1
    assert shapes[net[0].weight.name] == "(4, -1, 3, 3)"
    assert shapes[net[1].gamma.name] == "(-1,)"
    back = gluon.SymbolBlock.imports(str(tmp_path / "m-symbol.json"), ['data'],
                                     str(tmp_path / "m-0000.params"))
    close(back(x), y)
    p = gluon.Parameter('w2', shape=(2, -1))
    p.shape = (2, 5)
    assert p.shape == (2, 5)


def test_load_parameters_under_np_gives_np_arrays(tmp_path):
    """d2l loads pretrained BERT/GloVe weights with ``load_parameters`` after
    ``npx.set_np()``: the parameters hold ``mx.np`` arrays (MXNet reads the file with
    ``npx.load``), so ``.round(4)`` and NumPy indexing work on them."""
    npx.random.seed(17)
    net = nn.Sequential()
    net.add(nn.Embedding(10, 4), nn.Dense(3, flatten=False))
    net.initialize()
    x = np.array([[1, 2, 3]])
    y = net(x)
    net.save_parameters(str(tmp_path / "p.params"))
    net2 = nn.Sequential()
    net2.add(nn.Embedding(10, 4), nn.Dense(3, flatten=False))
    net2.load_parameters(str(tmp_path / "p.params"), ctx=[mx.cpu()])
    assert isinstance(net2[0].weight.data(), np.ndarray)
    assert bool((net2(x) == y).all())
    net3 = nn.Sequential()
    net3.add(nn.Embedding(10, 4))
    net3.load_parameters(str(tmp_path / "p.params"), ignore_extra=True)
    close(net3[0].weight.data()[1].round(4), [0.0378, -0.017, 0.0236, 0.0426])  # MXNet
    # MXNet quirk: a file whose names hold no '.' (a lone layer) takes the legacy
    # ParameterDict.load path, which keeps legacy NDArrays even under set_np
    dense = nn.Dense(3, in_units=2)
    dense.initialize()
    dense.save_parameters(str(tmp_path / "d.params"))
    dense2 = nn.Dense(3, in_units=2)
    dense2.load_parameters(str(tmp_path / "d.params"))
    assert type(dense2.weight.data()) is mx.nd.NDArray


def test_full_with_bool_and_array_fill_values():
    # frozen from MXNet 1.9.1: a Python bool gives a bool array, an array is broadcast
    t = np.full((2,), True)
    assert t.dtype == onp.bool_ and t.asnumpy().tolist() == [True, True]
    assert np.full((2,), False, dtype='int32').dtype == onp.int32
    r = np.full((2, 3), np.array([1, 2, 3], dtype='int32'))
    assert r.dtype == onp.int32 and r.asnumpy().tolist() == [[1, 2, 3]] * 2
    assert np.full((2, 2), np.array([1, 2]), dtype='int64').dtype == onp.int64
    assert np.full(3, np.array(5.)).asnumpy().tolist() == [5.0] * 3
    assert np.full((2,), 7).dtype == onp.float32


def test_multinomial_draws_mxnet_numbers():
    """d2l's die rolls: ``np.random.multinomial`` on MXNet's serial generator, one
    float64 uniform per draw plus ``len(pvals)`` unused ones for a list ``pvals``."""
    npx.random.seed(3)
    fair = [1.0 / 6] * 6
    # frozen from MXNet 1.9.1
    assert np.random.multinomial(1, fair).asnumpy().tolist() == [0, 0, 1, 0, 0, 0]
    assert np.random.multinomial(10, fair).asnumpy().tolist() == [2, 2, 0, 6, 0, 0]
    assert np.random.multinomial(1000, fair).asnumpy().tolist() == \
        [158, 184, 167, 151, 146, 194]
    r = np.random.multinomial(5, [0.2, 0.3, 0.5], size=(2, 2))
    assert r.dtype == onp.int64 and r.asnumpy().tolist() == \
        [[[1, 2, 2], [2, 0, 3]], [[1, 0, 4], [1, 2, 2]]]
    assert np.random.multinomial(5, np.array([0.2, 0.3, 0.5])).asnumpy().tolist() == \
        [2, 1, 2]
    assert np.random.multinomial(1, fair).dtype == onp.int64
    close(np.random.uniform(size=2), [0.4075268507003784, 0.27544182538986206])
    with pytest.raises(MXNetError):
        np.random.multinomial(3, [0.6, 0.6]).asnumpy()


def test_npx_image_namespace():
    """``npx.image`` = ``mx.image``'s helpers + the image operators (MXNet 1.9.1)."""
    img = (np.arange(4 * 6 * 3) % 256).reshape(4, 6, 3).astype('uint8')
    t = npx.image.to_tensor(img)
    assert isinstance(t, np.ndarray) and t.shape == (3, 4, 6) and t.dtype == onp.float32
    n = npx.image.normalize(t, mean=(0.5, 0.4, 0.3), std=(0.2, 0.2, 0.2))
    close(n[:, 0, 0], [-2.5, -1.98039, -1.46078])
    r = npx.image.resize(img, (3, 2))
    assert isinstance(r, np.ndarray) and r.shape == (2, 3, 3) and r.dtype == onp.uint8
    assert npx.image.flip_left_right(img)[0, 0].asnumpy().tolist() == \
        img[0, -1].asnumpy().tolist()
    assert npx.image.fixed_crop(img, 0, 0, 3, 3).shape == (3, 3, 3)
    assert callable(npx.image.imread) and hasattr(npx.image, 'CreateAugmenter')


def test_exponential_draws_mxnet_numbers():
    """``np.random.exponential``: ``-scale * log(u)`` on MXNet's serial generator."""
    npx.random.seed(9)
    # frozen from MXNet 1.9.1
    close(np.random.exponential(2.5, size=(2, 3)),
          [[6.604864120483398, 0.7800869941711426, 8.060032844543457],
           [1.041832447052002, 1.688861608505249, 0.41787222027778625]], atol=1e-6)
    npx.random.seed(10)
    e = np.random.exponential(np.array([1., 2.]), size=(3, 2))   # consumes 6 uniforms
    assert e.shape == (3, 2) and e.dtype == onp.float32
    np.random.exponential(np.array([[1., 2.], [0.5, 3.]]), size=(3, 2, 2))
    close(np.random.exponential(0.1, size=2), [0.025360189, 0.018683845], atol=1e-7)


def test_normal_and_uniform_with_array_parameters():
    npx.random.seed(11)
    # frozen from MXNet 1.9.1: the serial stream, parameters broadcast
    close(np.random.normal(np.array([0., 10.]), np.array([1., 2.]), size=(3, 2)),
          [[0.8837151, 6.975996], [2.9022243, 10.991386], [-0.1954348, 9.94176]], atol=1e-5)
    close(np.random.normal(np.array([0., 10.]), 2.0), [2.415266, 10.476213], atol=1e-5)
    close(np.random.uniform(np.array([0., 10.]), np.array([1., 20.])),
          [0.00737036, 18.455696], atol=1e-5)
    u = np.random.uniform(0, np.array([[1.], [5.]]), size=(2, 3))
    assert u.shape == (2, 3)
    close(np.random.uniform(size=2), [0.8154004, 0.6497323], atol=1e-6)
