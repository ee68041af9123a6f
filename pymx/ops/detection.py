"""Object detection operators (``mx.nd.contrib`` / ``mx.sym.contrib``, some also ``npx``):

* ``_contrib_MultiBoxPrior`` (``npx.multibox_prior``): SSD anchor boxes for a feature map;
* ``_contrib_MultiBoxTarget`` (``npx.multibox_target``): training targets for anchors;
* ``_contrib_MultiBoxDetection`` (``npx.multibox_detection``): decode + per-class NMS;
* ``_contrib_box_nms`` (= ``box_non_maximum_suppression``), ``_contrib_box_iou``,
  ``_contrib_bipartite_matching``, ``_contrib_box_encode``, ``_contrib_box_decode``.

Boxes are ``[xmin, ymin, xmax, ymax]`` ("corner") or ``[x, y, w, h]`` ("center"), in
fractions of the image for the MultiBox ops.  The IoU of two boxes is
``area(a & b) / (area(a) + area(b) - area(a & b))``.

These ops are bookkeeping: greedy matching and suppression, sequential by nature
(MXNet's CPU kernels are loops too).  Their forward reads the (small) inputs on the
host, runs the loops in NumPy in the input's dtype, and uploads the result, so they run
on every backend.  Only ``box_nms`` has a gradient (each kept box's out_grad goes back
to the row it came from); the others' gradients are zero, as in MXNet.
"""
import math

import numpy as np

from ..base import MXNetError
from .registry import Param, register

_FMT = ("corner", "center")


def _host(k, *xs):
    return [k.to_numpy(x) for x in xs]


def _zero_grads(F, a, xs, ys, dys):
    return [F.zeros_like(x) for x in xs]


# ---- MultiBoxPrior -------------------------------------------------------------------

def _prior_boxes(a, h, w):
    """(h * w * (S + R - 1), 4) float32 anchors; see MultiBoxPrior's doc."""
    sy, sx = a.steps
    if sy <= 0 or sx <= 0:
        sy, sx = 1.0 / h, 1.0 / w
    oy, ox = a.offsets
    f = np.float32
    shapes = [(f(s) * h / w * math.sqrt(a.ratios[0]) / 2, f(s) / math.sqrt(a.ratios[0]) / 2)
              for s in a.sizes]
    shapes += [(f(a.sizes[0]) * h / w * math.sqrt(r) / 2, f(a.sizes[0]) / math.sqrt(r) / 2)
               for r in a.ratios[1:]]
    half = np.array(shapes, np.float32)                        # (K, 2): half w, half h
    cy = ((np.arange(h, dtype=np.float32) + f(oy)) * f(sy)).reshape(h, 1, 1)
    cx = ((np.arange(w, dtype=np.float32) + f(ox)) * f(sx)).reshape(1, w, 1)
    cy, cx = np.broadcast_arrays(cy, cx)
    hw, hh = half[:, 0], half[:, 1]
    out = np.stack([cx - hw, cy - hh, cx + hw, cy + hh], -1).reshape(-1, 4)
    return np.clip(out, 0, 1) if a.clip else out


def _check_prior(a, shape):
    op = "MultiBoxPrior"
    if len(shape) < 4 or shape[2] < 1 or shape[3] < 1:
        raise MXNetError(f"{op}: data must be (N, C, H, W) with H, W > 0, got {tuple(shape)}")
    if not a.sizes or not a.ratios or len(a.steps) != 2 or len(a.offsets) != 2:
        raise MXNetError(f"{op}: needs sizes and ratios (non-empty), steps and offsets of 2, "
                         f"got sizes={a.sizes}, ratios={a.ratios}, steps={a.steps}, "
                         f"offsets={a.offsets}")


def _multibox_prior(k, a, data):
    _check_prior(a, data.shape)
    boxes = _prior_boxes(a, data.shape[2], data.shape[3])
    return k.astype(k.from_numpy(boxes.reshape((1,) + boxes.shape)), data.dtype)


def _prior_shape(a, s):
    if s[0] is None:
        return s, [None]
    _check_prior(a, s[0])
    return s, [(1, s[0][2] * s[0][3] * (len(a.sizes) + len(a.ratios) - 1), 4)]


register("_contrib_MultiBoxPrior", _multibox_prior, aliases=("_npx_multibox_prior",),
         params={"sizes": Param("floats", (1.0,), doc="anchor sizes (fractions of the image)"),
                 "ratios": Param("floats", (1.0,), doc="aspect ratios w/h"),
                 "clip": Param("bool", False, doc="clip boxes into [0, 1]"),
                 "steps": Param("floats", (-1.0, -1.0), doc="(step_y, step_x); -1: 1/H, 1/W"),
                 "offsets": Param("floats", (0.5, 0.5), doc="centre offsets (y, x) in a cell")},
         infer_shape=_prior_shape, gradient=_zero_grads,
         doc="""SSD anchor boxes for a feature map data (N, C, H, W): (1, H*W*K, 4) corners.

Each cell (r, c) has centre ``((c + offsets[1]) * step_x, (r + offsets[0]) * step_y)``
(steps default to 1/W, 1/H) and ``K = len(sizes) + len(ratios) - 1`` boxes: every size
with the first ratio, then the first size with every other ratio.  A box of size s and
ratio r has width ``s * H / W * sqrt(r)`` and height ``s / sqrt(r)`` (so a square box
is square in pixels).  Boxes are listed cell by cell, row-major.  Only data's shape is
used; its gradient is zero.""")


# ---- IoU helpers ---------------------------------------------------------------------

def _to_corner(b, fmt):
    if fmt == "corner":
        return b
    x, y, w, h = np.moveaxis(b, -1, 0)
    return np.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], -1)


def _iou(lhs, rhs, fmt="corner"):
    """IoU of every box of lhs (..., 4) with every box of rhs (M, 4): (L, M), MXNet's
    arithmetic (widths clipped at 0; degenerate boxes have area 0)."""
    l, r = _to_corner(lhs.reshape(-1, 4), fmt), _to_corner(rhs.reshape(-1, 4), fmt)
    iw = np.minimum(l[:, None, 2], r[None, :, 2]) - np.maximum(l[:, None, 0], r[None, :, 0])
    ih = np.minimum(l[:, None, 3], r[None, :, 3]) - np.maximum(l[:, None, 1], r[None, :, 1])
    inter = np.maximum(iw, 0) * np.maximum(ih, 0)

    def area(b):
        w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
        return np.where((w < 0) | (h < 0), 0, w * h).astype(b.dtype)
    union = area(l)[:, None] + area(r)[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(inter > 0, inter / union, 0).astype(lhs.dtype)


def _greedy_nms(boxes, fmt, suppress, classes=None):
    """Greedy non-maximum suppression of boxes (n, 4) sorted best first: returns the
    mask of survivors.  Each survivor, in order, removes the later survivors (of its
    class, when ``classes`` is given) for which ``suppress(iou)`` holds.  One IoU row
    per survivor: O(n * survivors) work, never an (n, n) matrix."""
    alive = np.ones(len(boxes), bool)
    for i in range(len(boxes)):
        if not alive[i]:
            continue
        rest = np.flatnonzero(alive[i + 1:]) + i + 1
        if classes is not None:
            rest = rest[classes[rest] == classes[i]]
        if len(rest):
            alive[rest[suppress(_iou(boxes[i:i + 1], boxes[rest], fmt)[0])]] = False
    return alive


# ---- MultiBoxTarget ------------------------------------------------------------------

def _match(iou, threshold):
    """Anchor -> ground truth matching for one image; iou (A, G).  Returns ``(flags,
    best_iou, best_gt)``: flags 1 for positives, -1 otherwise."""
    n_a, n_g = iou.shape
    flags = np.full(n_a, -1)
    best_iou, best_gt = np.full(n_a, -1.0, np.float32), np.full(n_a, -1)
    free = iou.astype(np.float32).copy()
    for _ in range(n_g):        # 1. each gt takes its best anchor, best pair first
        j, g = np.unravel_index(np.argmax(free), free.shape)
        if not free[j, g] > 1e-6:
            break
        flags[j], best_iou[j], best_gt[j] = 1, free[j, g], g
        free[j, :], free[:, g] = -1, -1
    if threshold > 0:           # 2. other anchors: their best gt, if over the threshold
        rest = flags != 1
        g = np.argmax(iou, 1)
        m = iou[np.arange(n_a), g]
        best_iou[rest], best_gt[rest] = m[rest], g[rest]
        flags[rest & (m > threshold)] = 1
    return flags, best_iou, best_gt


def _loc_targets(anchors, gt, v):
    """SSD box regression targets of gt (A, 4) w.r.t. anchors (A, 4), both corners."""
    aw, ah = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    ax, ay = (anchors[:, 0] + anchors[:, 2]) * 0.5, (anchors[:, 1] + anchors[:, 3]) * 0.5
    gw, gh = gt[:, 2] - gt[:, 0], gt[:, 3] - gt[:, 1]
    gx, gy = (gt[:, 0] + gt[:, 2]) * 0.5, (gt[:, 1] + gt[:, 3]) * 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([(gx - ax) / aw / v[0], (gy - ay) / ah / v[1],
                         np.log(gw / aw) / v[2], np.log(gh / ah) / v[3]], 1)


def _multibox_target(k, a, anchor, label, cls_pred):
    anchors, labels, preds = _host(k, anchor, label, cls_pred)
    _check_target(anchor.shape, label.shape, cls_pred.shape)
    anchors = anchors.reshape(-1, 4)
    n, n_a = labels.shape[0], anchors.shape[0]
    loc = np.zeros((n, n_a, 4), anchors.dtype)
    mask = np.zeros((n, n_a, 4), anchors.dtype)
    cls = np.full((n, n_a), a.ignore_label, anchors.dtype)
    for b in range(n):
        valid = labels[b, :, 0] != -1
        n_g = int(np.argmin(valid)) if not valid.all() else len(valid)   # up to first -1
        if n_g < len(valid) and labels[b, n_g, 1] != -1:     # MXNet's CHECK: pad with -1
            raise MXNetError(f"MultiBoxTarget: label row {n_g} of batch {b} has class -1 "
                             f"but xmin {labels[b, n_g, 1]}; padding rows must be all -1")
        if n_g == 0:
            continue
        gts = labels[b, :n_g]
        iou = _iou(anchors, gts[:, 1:5])
        flags, best_iou, best_gt = _match(iou, a.overlap_threshold)
        if a.negative_mining_ratio > 0:
            n_pos = int((flags == 1).sum())
            n_neg = min(int(n_pos * a.negative_mining_ratio), n_a - n_pos)
            if n_neg > 0:
                cand = np.flatnonzero((flags == -1) & (iou.max(1) < a.negative_mining_thresh))
                p = preds[b][:, cand]
                e = np.exp(p - p.max(0))
                bg = e[0] / e.sum(0)                       # background probability
                order = cand[np.argsort(bg, kind="stable")]   # hardest negatives first
                flags[order[:n_neg]] = 0
        else:
            flags[flags != 1] = 0
        pos = flags == 1
        cls[b, pos] = gts[best_gt[pos], 0] + 1
        cls[b, flags == 0] = 0
        mask[b, pos] = 1
        loc[b, pos] = _loc_targets(anchors[pos], gts[best_gt[pos], 1:5], a.variances)
    return tuple(k.from_numpy(x) for x in (loc.reshape(n, -1), mask.reshape(n, -1), cls))


def _check_target(sa, sl, sp):
    op = "MultiBoxTarget"
    if len(sa) != 3 or sa[2] != 4 or len(sl) != 3 or sl[2] < 5 or len(sp) != 3 or \
            sp[0] != sl[0] or sp[2] != sa[1]:
        raise MXNetError(f"{op}: needs anchor (1, A, 4), label (N, G, >=5) rows [cls, "
                         f"xmin, ymin, xmax, ymax] (-1 padded), cls_pred (N, classes, A); "
                         f"got anchor {tuple(sa)}, label {tuple(sl)}, cls_pred {tuple(sp)}")


def _target_shape(a, s):
    if any(x is None for x in s):
        return s, [None] * 3
    _check_target(*s)
    n, n_a = s[1][0], s[0][1]
    return s, [(n, n_a * 4), (n, n_a * 4), (n, n_a)]


register("_contrib_MultiBoxTarget", _multibox_target, aliases=("_npx_multibox_target",),
         inputs=("anchor", "label", "cls_pred"),
         outputs=("loc_target", "loc_mask", "cls_target"),
         params={"overlap_threshold": Param("float", 0.5),
                 "ignore_label": Param("float", -1.0),
                 "negative_mining_ratio": Param("float", -1.0, doc="-1: no mining"),
                 "negative_mining_thresh": Param("float", 0.5),
                 "minimum_negative_samples": Param("int", 0, doc="unused (as MXNet)"),
                 "variances": Param("floats", (0.1, 0.1, 0.2, 0.2))},
         infer_shape=_target_shape, gradient=_zero_grads,
         doc="""SSD training targets: (loc_target (N, 4A), loc_mask (N, 4A), cls_target (N, A)).

anchor (1, A, 4) corners; label (N, G, 5+) rows ``[class, xmin, ymin, xmax, ymax]``, the
list ending at the first row whose class is -1; cls_pred (N, classes, A) logits (used
only for negative mining).  Matching, per image: (1) greedily, the anchor/ground-truth
pair of highest IoU (> 1e-6) is matched and both are removed, until every ground truth
has an anchor; (2) every other anchor takes its best ground truth and is positive when
that IoU > overlap_threshold.  Positives get class ``gt_class + 1`` (0 is background),
mask 1 and ``((gx - ax) / aw / v0, (gy - ay) / ah / v1, log(gw / aw) / v2,
log(gh / ah) / v3)``.  Without mining every other anchor is a negative (class 0); with
``negative_mining_ratio`` r only the ``r * positives`` anchors of lowest background
softmax probability among those of IoU < negative_mining_thresh are, and the rest get
ignore_label.  An image without objects gets ignore_label everywhere.""")


# ---- MultiBoxDetection ---------------------------------------------------------------

def _decode_ssd(anchors, loc, v, clip):
    aw, ah = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    ax, ay = (anchors[:, 0] + anchors[:, 2]) / 2, (anchors[:, 1] + anchors[:, 3]) / 2
    ox, oy = loc[:, 0] * v[0] * aw + ax, loc[:, 1] * v[1] * ah + ay
    ow, oh = np.exp(loc[:, 2] * v[2]) * aw / 2, np.exp(loc[:, 3] * v[3]) * ah / 2
    out = np.stack([ox - ow, oy - oh, ox + ow, oy + oh], 1)
    return np.clip(out, 0, 1) if clip else out


def _multibox_detection(k, a, cls_prob, loc_pred, anchor):
    probs, locs, anchors = _host(k, cls_prob, loc_pred, anchor)
    _check_detection(cls_prob.shape, loc_pred.shape, anchor.shape)
    n, n_c, n_a = probs.shape
    anchors, dt = anchors.reshape(n_a, 4), probs.dtype
    out = np.full((n, n_a, 6), -1, dt)
    for b in range(n):
        fg = probs[b, 1:]                              # class 0 is the background
        cid = np.argmax(fg, 0) if n_c > 1 else np.zeros(n_a, int)
        score = fg[cid, np.arange(n_a)] if n_c > 1 else np.full(n_a, -1, dt)
        cid = np.where(score < a.threshold, -1, cid)
        rows = np.concatenate([cid[:, None].astype(dt), score[:, None],
                               _decode_ssd(anchors, locs[b].reshape(n_a, 4), a.variances,
                                           a.clip)], 1).astype(dt)
        rows = rows[cid >= 0]                          # valid detections, anchor order
        out[b, :len(rows)] = rows
        if len(rows) == 0 or a.nms_threshold <= 0 or a.nms_threshold > 1:
            continue
        order = np.argsort(-rows[:, 1], kind="stable")
        keep = len(rows) if a.nms_topk <= 0 else min(a.nms_topk, len(rows))
        out[b, keep:len(rows), 0] = -1                 # beyond topk: dropped (MXNet quirk:
        det = rows[order[:keep]]                       # the rows keep their old values)
        alive = _greedy_nms(det[:, 2:], "corner", lambda iou: iou >= a.nms_threshold,
                            None if a.force_suppress else det[:, 0])
        det[~alive, 0] = -1
        out[b, :keep] = det
    return k.from_numpy(out)


def _check_detection(sc, sl, sa):
    if len(sc) != 3 or len(sl) != 2 or len(sa) != 3 or sa[2] != 4 or sc[2] != sa[1] or \
            sl[1] != 4 * sc[2]:
        raise MXNetError(f"MultiBoxDetection: needs cls_prob (N, classes, A), loc_pred "
                         f"(N, 4A), anchor (1, A, 4); got cls_prob {tuple(sc)}, loc_pred "
                         f"{tuple(sl)}, anchor {tuple(sa)}")


def _detection_shape(a, s):
    if any(x is None for x in s):
        return s, [None]
    _check_detection(*s)
    return s, [(s[0][0], s[0][2], 6)]


register("_contrib_MultiBoxDetection", _multibox_detection,
         aliases=("_npx_multibox_detection",), inputs=("cls_prob", "loc_pred", "anchor"),
         params={"clip": Param("bool", True), "threshold": Param("float", 0.01),
                 "background_id": Param("int", 0, doc="unused: class 0 is the background "
                                                      "(as MXNet's kernels)"),
                 "nms_threshold": Param("float", 0.5),
                 "force_suppress": Param("bool", False),
                 "variances": Param("floats", (0.1, 0.1, 0.2, 0.2)),
                 "nms_topk": Param("int", -1)},
         infer_shape=_detection_shape, gradient=_zero_grads,
         doc="""SSD detections: (N, A, 6) rows ``[class_id, score, xmin, ymin, xmax, ymax]``.

For each anchor: the best non-background class (rows 1.. of cls_prob (N, classes, A),
reported as ``id - 1``) and its probability; below ``threshold`` the anchor is dropped.
Boxes are decoded from loc_pred (N, 4A) with the anchors (1, A, 4) and variances as
MultiBoxTarget encodes them (clipped to [0, 1] when clip).  The surviving rows, sorted
by score (stable), go through NMS: a row is dropped (class -1) when a higher-scored row
of the same class (any class with force_suppress) overlaps it with IoU >=
nms_threshold; nms_topk > 0 keeps only the best nms_topk before NMS.  Unused rows are
all -1.  MXNet quirk kept: rows beyond nms_topk keep their unsorted values with class
-1.""")


# ---- box_nms -------------------------------------------------------------------------

def _nms_check(a, shape):
    op = "box_nms"
    w = shape[-1] if len(shape) >= 2 else 0
    cs, si, ii = a.coord_start, a.score_index, a.id_index
    bad = len(shape) < 2 or w < (6 if ii >= 0 else 5) or not 0 <= si < w or \
        cs < 0 or cs + 3 >= w or cs <= si <= cs + 3 or \
        (ii >= 0 and (ii >= w or cs <= ii <= cs + 3 or ii == si))
    if bad:
        raise MXNetError(f"{op}: data (..., N, width) needs width >= 5 (6 with id_index) "
                         f"and score_index, id_index, coord_start..coord_start+3 distinct "
                         f"columns; got shape {tuple(shape)}, score_index={si}, "
                         f"coord_start={cs}, id_index={ii}")


def _box_nms(k, a, data):
    _nms_check(a, data.shape)
    x = k.to_numpy(data)
    shape = x.shape
    x = x.reshape((-1,) + shape[-2:])
    nb, n, w = x.shape
    out = np.full(x.shape, -1, x.dtype)
    record = np.full((nb, n), -1, x.dtype)
    cs = a.coord_start
    topk = n if a.topk < 0 else min(n, a.topk)
    if topk < 1:
        return k.from_numpy(x.reshape(shape)), k.from_numpy(
            np.arange(nb * n, dtype=x.dtype).reshape(shape[:-1] + (1,)))
    for b in range(nb):
        rows = x[b]
        ok = rows[:, a.score_index] > a.valid_thresh
        if a.id_index >= 0:
            ok &= rows[:, a.id_index] != a.background_id
        idx = np.flatnonzero(ok)
        idx = idx[np.argsort(-rows[idx, a.score_index], kind="stable")][:topk]
        by_class = a.id_index >= 0 and not a.force_suppress
        alive = _greedy_nms(rows[idx, cs:cs + 4], a.in_format,
                            lambda iou: iou > a.overlap_thresh,
                            rows[idx, a.id_index].astype(int) if by_class else None)
        kept = idx[alive]
        out[b, :len(kept)] = rows[kept]
        record[b, :len(kept)] = kept + b * n          # flat row index, as MXNet
    if a.in_format != a.out_format:
        c = out[..., cs:cs + 4]
        valid = c[..., 0] >= 0              # MXNet converts rows whose first coord >= 0
        if a.out_format == "center":
            conv = np.stack([(c[..., 0] + c[..., 2]) / 2, (c[..., 1] + c[..., 3]) / 2,
                             c[..., 2] - c[..., 0], c[..., 3] - c[..., 1]], -1)
        else:
            conv = _to_corner(c, "center")
        out[..., cs:cs + 4] = np.where(valid[..., None], conv, c)
    return (k.from_numpy(out.reshape(shape)),
            k.from_numpy(record.reshape(shape[:-1] + (1,))))


def _nms_shape(a, s):
    if s[0] is None:
        return s, [None, None]
    _nms_check(a, s[0])
    return s, [tuple(s[0]), tuple(s[0][:-1]) + (1,)]


_NMS_PARAMS = {
    "overlap_thresh": Param("float", 0.5, doc="suppress when IoU > this"),
    "valid_thresh": Param("float", 0.0, doc="keep only scores > this"),
    "topk": Param("int", -1, doc="NMS over the topk best boxes only; -1: all"),
    "coord_start": Param("int", 2), "score_index": Param("int", 1),
    "id_index": Param("int", -1, doc="class id column; -1: no classes"),
    "background_id": Param("int", -1, doc="class ignored (with id_index)"),
    "force_suppress": Param("bool", False, doc="suppress across classes"),
    "in_format": Param("str", "corner", choices=_FMT),
    "out_format": Param("str", "corner", choices=_FMT),
}

register("_contrib_box_nms", _box_nms, aliases=("_contrib_box_non_maximum_suppression",),
         params=_NMS_PARAMS, outputs=("output", "record"), num_visible_outputs=1,
         infer_shape=_nms_shape,
         gradient=lambda F, a, xs, ys, dys: [
             F._backward_contrib_box_nms(dys[0], ys[1], **a)],
         doc="""Non-maximum suppression of data (..., N, width): same shape, rows
``[..., score, ..., x1, y1, x2, y2, ...]`` (columns score_index, coord_start..+3,
optional id_index).

Per batch element: rows with score > valid_thresh (and class != background_id) are
sorted by score (descending, stable), the first topk kept; then, best first, a row
suppresses every later row whose IoU with it is > overlap_thresh (only rows of its class
when id_index >= 0 and not force_suppress).  Survivors are written first, in score
order; the other rows are all -1.  Coordinates are converted from in_format to
out_format.  topk = 0 returns the input unchanged.  Gradient: each kept row's out_grad
goes back to the input row it came from (the hidden second output records which, as a
flat row index into data.reshape(-1, width), -1 for empty rows).""")


def _backward_box_nms(k, a, dy, record):
    shape = dy.shape
    w = shape[-1]
    g = k.reshape(dy, (-1, w))
    rec = k.to_numpy(record).reshape(-1).astype(np.int64)
    kept = rec >= 0
    to = k.from_numpy(rec[kept])
    rows = k.take(g, k.from_numpy(np.flatnonzero(kept.reshape(-1))), 0)
    return k.reshape(k.scatter_add((g.shape[0], w), to, rows, 0, dy.dtype), shape)


register("_backward_contrib_box_nms", _backward_box_nms, inputs=("ograd", "record"),
         params=_NMS_PARAMS, infer_shape=lambda a, s: (s, [s[0]]),
         doc="""box_nms's gradient: row i of out_grad added to input row record[i]
(rows with record -1 were not kept and send nothing).""")


# ---- box_iou, bipartite_matching -----------------------------------------------------

def _box_iou(k, a, lhs, rhs):
    op = "box_iou"
    if len(lhs.shape) < 2 or lhs.shape[-1] != 4 or len(rhs.shape) < 2 or rhs.shape[-1] != 4:
        raise MXNetError(f"{op}: lhs and rhs must be (..., 4) boxes, got {tuple(lhs.shape)} "
                         f"and {tuple(rhs.shape)}")
    x, y = _host(k, lhs, rhs)
    return k.from_numpy(_iou(x, y, a.format).reshape(lhs.shape[:-1] + rhs.shape[:-1]))


register("_contrib_box_iou", _box_iou, inputs=("lhs", "rhs"),
         params={"format": Param("str", "corner", choices=_FMT)},
         shape=lambda a, l, r: tuple(l[:-1]) + tuple(r[:-1]), gradient=_zero_grads,
         doc="""IoU of every box of lhs (..., 4) with every box of rhs (..., 4): shape
``lhs.shape[:-1] + rhs.shape[:-1]``; 0 where the boxes do not intersect.  Zero
gradient (as MXNet).""")


def _bipartite_matching(k, a, data):
    if len(data.shape) < 2:
        raise MXNetError(f"bipartite_matching: data must be (..., rows, cols), got "
                         f"{tuple(data.shape)}")
    x = k.to_numpy(data)
    r, c = x.shape[-2:]
    flat = x.reshape(-1, r * c)
    rows = np.full((flat.shape[0], r), -1, x.dtype)
    cols = np.full((flat.shape[0], c), -1, x.dtype)
    for b, s in enumerate(flat):
        order = np.argsort(s if a.is_ascend else -s, kind="stable")
        count = 0
        for j in order:
            i, m = divmod(int(j), c)
            if rows[b, i] != -1 or cols[b, m] != -1:
                continue
            if not (s[j] < a.threshold if a.is_ascend else s[j] > a.threshold):
                break
            rows[b, i], cols[b, m] = m, i
            count += 1
            if 0 < a.topk < count:        # MXNet stops after topk + 1 matches
                break
    return (k.from_numpy(rows.reshape(x.shape[:-1])),
            k.from_numpy(cols.reshape(x.shape[:-2] + (c,))))


register("_contrib_bipartite_matching", _bipartite_matching,
         params={"is_ascend": Param("bool", False), "threshold": Param("float"),
                 "topk": Param("int", -1)},
         outputs=("row_marker", "col_marker"),
         shape=lambda a, s: [tuple(s[:-1]), tuple(s[:-2]) + (s[-1],)],
         gradient=_zero_grads,
         doc="""Greedy bipartite matching of a score matrix data (..., R, C): outputs
(row_marker (..., R), col_marker (..., C)), the matched column of each row and row of each
column, -1 for none.  Pairs are taken best score first (highest, or lowest with
is_ascend) while the score is > threshold (< with is_ascend), skipping rows or columns
already matched.  MXNet quirk kept: topk > 0 stops after topk + 1 matches.""")


# ---- box_encode, box_decode ----------------------------------------------------------

def _box_encode(k, a, samples, matches, anchors, refs, means, stds):
    s, m, an, rf, mu, sd = _host(k, samples, matches, anchors, refs, means, stds)
    b = np.arange(s.shape[0]).reshape(-1, 1)
    ref = rf[b, m.astype(np.int64)]                                 # (B, N, 4)
    rw, rh = ref[..., 2] - ref[..., 0], ref[..., 3] - ref[..., 1]
    aw, ah = an[..., 2] - an[..., 0], an[..., 3] - an[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.stack([(ref[..., 0] + rw * 0.5 - an[..., 0] - aw * 0.5) / aw,
                      (ref[..., 1] + rh * 0.5 - an[..., 1] - ah * 0.5) / ah,
                      np.log(rw / aw), np.log(rh / ah)], -1)
        t = (t - mu) / sd
    valid = (s > 0.5)[..., None]
    return (k.from_numpy(np.where(valid, t, 0).astype(an.dtype)),
            k.from_numpy(np.broadcast_to(valid, t.shape).astype(an.dtype)))


register("_contrib_box_encode", _box_encode,
         inputs=("samples", "matches", "anchors", "refs", "means", "stds"),
         outputs=("targets", "masks"), shape=lambda a, *s: [tuple(s[2])] * 2,
         gradient=_zero_grads,
         doc="""Encode matched boxes as regression targets (Faster R-CNN style).

samples (B, N) (> 0.5: positive), matches (B, N) indices into refs (B, M, 4), anchors
(B, N, 4) corners, means and stds (4,).  targets (B, N, 4):
``((rx - ax) / aw, (ry - ay) / ah, log(rw / aw), log(rh / ah))`` minus means over
stds, for positives (0 elsewhere); masks: 1 for positives.  Zero gradient.""")


def _box_decode(k, a, data, anchors):
    if len(data.shape) != 3 or data.shape[-1] != 4 or anchors.shape[-1] != 4:
        raise MXNetError(f"box_decode: needs data (B, N, 4) and anchors (1, N, 4), got "
                         f"{tuple(data.shape)} and {tuple(anchors.shape)}")
    x, an = _host(k, data, anchors)
    an = an.reshape(1, -1, 4)
    if a.format == "corner":
        w, h = an[..., 2] - an[..., 0], an[..., 3] - an[..., 1]
        cx, cy = an[..., 0] + w * 0.5, an[..., 1] + h * 0.5
    else:
        cx, cy, w, h = np.moveaxis(an, -1, 0)
    ox, oy = x[..., 0] * a.std0 * w + cx, x[..., 1] * a.std1 * h + cy
    dw, dh = x[..., 2] * a.std2, x[..., 3] * a.std3
    if a.clip > 0:
        dw, dh = np.minimum(dw, a.clip), np.minimum(dh, a.clip)
    ow, oh = np.exp(dw) * w * 0.5, np.exp(dh) * h * 0.5
    return k.from_numpy(np.stack([ox - ow, oy - oh, ox + ow, oy + oh], -1).astype(x.dtype))


register("_contrib_box_decode", _box_decode, inputs=("data", "anchors"),
         params={**{f"std{i}": Param("float", 1.0) for i in range(4)},
                 "clip": Param("float", -1.0, doc="> 0: clip the log-size deltas"),
                 "format": Param("str", "center", choices=_FMT, doc="of the anchors")},
         shape=lambda a, d, an: tuple(d), gradient=_zero_grads,
         doc="""Decode regression outputs data (B, N, 4) against anchors (1, N, 4)
(``format``: how the anchors are given) into corner boxes: centre
``(d0 * std0 * aw + ax, d1 * std1 * ah + ay)``, size ``(exp(d2 * std2) * aw,
exp(d3 * std3) * ah)``; with clip > 0 the scaled d2, d3 are capped at clip first.
Zero gradient (as MXNet).""")
