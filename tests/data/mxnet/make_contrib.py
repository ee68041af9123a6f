"""Write ``contrib_cases.json`` with **real MXNet 1.9.1**: the ``mx.nd.contrib`` operators
(detection: MultiBoxPrior/Target/Detection, box_nms, box_iou, bipartite_matching,
box_encode/decode, ROIAlign; layers: BilinearResize2D, AdaptiveAvgPooling2D,
boolean_mask, index_copy, index_array, arange_like, div_sqrt_dim, quadratic,
gradientmultiplier, allclose, SyncBatchNorm) and the control-flow functions
(foreach, while_loop, cond).

Run it with the side virtualenv (not part of pymx and not needed to run the tests)::

    MXNET_SUBGRAPH_BACKEND=NONE /work/venv-mxnet/bin/python tests/data/mxnet/make_contrib.py

Each op case: the op's name under ``mx.nd.contrib``, its keyword arguments, its array
inputs (seeded NumPy values), every visible output and, for ``grad`` cases, the
gradient of each listed input for a seeded head gradient (under ``autograd.record``).
"""
import json
import os

import mxnet as mx
import numpy as np

import control_flow_bodies as bodies     # beside this file

HERE = os.path.dirname(os.path.abspath(__file__))
assert mx.__version__ == "1.9.1", mx.__version__


def describe(x):
    x = np.asarray(x)
    return {"dtype": str(x.dtype), "shape": list(x.shape),
            "values": [float(v) for v in x.reshape(-1)]}


def run(rng, op, inputs, kwargs=None, grad=(), train=False, note=""):
    """One case: ``mx.nd.contrib.<op>(*inputs, **kwargs)``; ``grad``: input indices."""
    kwargs = kwargs or {}
    arrays = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    for i in grad:
        arrays[i].attach_grad()
    fn = getattr(mx.nd.contrib, op)
    if grad or train:
        with mx.autograd.record(train_mode=True):
            out = fn(*arrays, **kwargs)
        outs = out if isinstance(out, list) else [out]
        heads = [rng.uniform(-1, 1, o.shape).astype(o.dtype) for o in outs]
        if grad:
            mx.autograd.backward(outs, [mx.nd.array(h, dtype=h.dtype) for h in heads])
    else:
        out = fn(*arrays, **kwargs)
        outs = out if isinstance(out, list) else [out]
        heads = []
    return {"op": op, "kwargs": kwargs, "note": note,
            "inputs": [describe(x) for x in inputs],
            "outputs": [describe(o.asnumpy()) for o in outs],
            "heads": [describe(h) for h in heads] if grad else [],
            "grads": {str(i): describe(arrays[i].grad.asnumpy()) for i in grad}}


def f32(x):
    return np.asarray(x, np.float32)


def boxes(rng, n, lo=0.0, hi=1.0):
    """n random corner boxes [x1, y1, x2, y2] inside [lo, hi]."""
    p = rng.uniform(lo, hi, (n, 2, 2))
    return np.concatenate([p.min(1), p.max(1)], 1).astype(np.float32)


def detection_cases(rng):
    cases = []
    feat = np.zeros((1, 3, 4, 5), np.float32)
    for kw in [{}, {"sizes": (0.5, 0.25, 0.1), "ratios": (1, 2, 0.5)},
               {"sizes": (0.75, 0.5), "ratios": (1, 2), "clip": True},
               {"sizes": (0.4,), "ratios": (1, 3), "steps": (0.2, 0.25),
                "offsets": (0.3, 0.6)}]:
        cases.append(run(rng, "MultiBoxPrior", [feat], kw))
    anchors = mx.nd.contrib.MultiBoxPrior(mx.nd.zeros((1, 1, 4, 4)), sizes=(0.5, 0.3),
                                          ratios=(1, 2)).asnumpy()      # (1, 48, 4)
    a = anchors.shape[1]
    label = np.full((3, 4, 5), -1, np.float32)
    label[0, :3, 0] = [0, 2, 1]
    label[0, :3, 1:] = [[0.1, 0.1, 0.45, 0.5], [0.55, 0.2, 0.95, 0.7],
                        [0.3, 0.6, 0.6, 0.95]]
    label[1, :1, 0] = [1]
    label[1, :1, 1:] = [[0.2, 0.25, 0.8, 0.85]]          # third sample: no object
    cls_pred = rng.normal(size=(3, 4, a)).astype(np.float32)
    for kw in [{}, {"overlap_threshold": 0.3},
               {"negative_mining_ratio": 3.0, "negative_mining_thresh": 0.5},
               {"negative_mining_ratio": 2.0, "overlap_threshold": 0.4,
                "ignore_label": -2.0},
               {"variances": (0.2, 0.2, 0.1, 0.1)}]:
        cases.append(run(rng, "MultiBoxTarget", [anchors, label, cls_pred], kw))
    logits = rng.normal(size=(2, 4, a)).astype(np.float32) * 2
    cls_prob = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    loc_pred = (rng.normal(size=(2, a * 4)) * 0.5).astype(np.float32)
    for kw in [{}, {"force_suppress": True}, {"nms_threshold": 0.3, "nms_topk": 6},
               {"clip": False, "threshold": 0.4}, {"nms_threshold": 0.0},
               {"variances": (0.2, 0.2, 0.3, 0.3), "nms_threshold": 0.45,
                "background_id": 1}]:
        cases.append(run(rng, "MultiBoxDetection", [cls_prob, loc_pred, anchors], kw))
    # box_nms: rows [id, score, x1, y1, x2, y2]; clusters of overlapping boxes
    base = boxes(rng, 4, 0.0, 0.6)
    rows = []
    for b in range(2):
        for i in range(9):
            bx = base[i % 4] + rng.uniform(-0.06, 0.06, 4).astype(np.float32)
            rows.append([i % 3, rng.uniform(0, 1), *bx])
    data = np.array(rows, np.float32).reshape(2, 9, 6)
    for kw in [{}, {"overlap_thresh": 0.3}, {"id_index": 0},
               {"id_index": 0, "background_id": 0}, {"id_index": 0, "force_suppress": True},
               {"topk": 4, "valid_thresh": 0.3}, {"topk": 0},
               {"out_format": "center"}, {"valid_thresh": 2.0}]:
        cases.append(run(rng, "box_nms", [data], kw, grad=(0,)))
    centered = data.copy()
    centered[..., 2:4] = (data[..., 2:4] + data[..., 4:6]) / 2
    centered[..., 4:6] = data[..., 4:6] - data[..., 2:4]
    cases.append(run(rng, "box_nms", [centered], {"in_format": "center"}, grad=(0,)))
    cases.append(run(rng, "box_nms", [centered], {"in_format": "center",
                                                 "out_format": "corner"}))
    moved = np.concatenate([data[..., 2:6], data[..., 1:2], data[..., 0:1]], -1)
    cases.append(run(rng, "box_non_maximum_suppression", [moved],
                     {"coord_start": 0, "score_index": 4, "id_index": 5}))
    cases.append(run(rng, "box_nms", [data[0]], {"overlap_thresh": 0.2}))
    cases.append(run(rng, "box_nms", [data.reshape(2, 1, 9, 6)], {"id_index": 0}))
    lhs, rhs = boxes(rng, 3), boxes(rng, 10).reshape(2, 5, 4)
    rhs[0, 0] = [2, 2, 3, 3]                                   # no overlap
    cases.append(run(rng, "box_iou", [lhs, rhs]))
    cases.append(run(rng, "box_iou", [lhs, rhs], {"format": "center"}))
    scores = rng.uniform(0, 1, (2, 3, 4)).astype(np.float32)
    for kw in [{"threshold": 0.1}, {"threshold": 0.5, "is_ascend": True},
               {"threshold": 0.05, "topk": 1}, {"threshold": 0.7}]:
        cases.append(run(rng, "bipartite_matching", [scores], kw))
    samples = f32([[1, -1, 0, 1, 1], [0, 1, 1, -1, 1]])
    matches = f32([[0, 1, 2, 2, 1], [1, 0, 2, 0, 0]])
    anc = np.stack([boxes(rng, 5), boxes(rng, 5)])
    refs = np.stack([boxes(rng, 3), boxes(rng, 3)])
    cases.append(run(rng, "box_encode", [samples, matches, anc, refs, f32([0, 0, 0, 0]),
                                         f32([0.1, 0.1, 0.2, 0.2])]))
    cases.append(run(rng, "box_encode", [samples, matches, anc, refs,
                                         f32([0.1, -0.1, 0.05, 0]), f32([1, 2, 0.5, 1])]))
    enc = (rng.normal(size=(2, 5, 4)) * 0.5).astype(np.float32)
    anc_center = anc[:1].copy()
    anc_center[..., 2:] = anc[:1, :, 2:] - anc[:1, :, :2]
    cases.append(run(rng, "box_decode", [enc, anc_center]))
    cases.append(run(rng, "box_decode", [enc, anc[:1]], {"format": "corner"}))
    cases.append(run(rng, "box_decode", [enc, anc[:1]], {
        "format": "corner", "std0": 0.1, "std1": 0.1, "std2": 0.2, "std3": 0.2,
        "clip": 0.05}))
    # ROIAlign
    feat = rng.normal(size=(2, 3, 6, 7)).astype(np.float32)
    rois = f32([[0, 0.5, 1.0, 4.5, 5.2], [1, 2.0, 0.0, 6.0, 3.0], [0, 3.3, 2.2, 3.6, 2.4],
                [1, -1.0, -0.5, 7.5, 6.5]])
    for kw in [{"pooled_size": (2, 2), "spatial_scale": 1.0},
               {"pooled_size": (3, 2), "spatial_scale": 0.5, "sample_ratio": 2},
               {"pooled_size": (2, 3), "spatial_scale": 1.0, "aligned": True},
               {"pooled_size": (1, 1), "spatial_scale": 0.8, "sample_ratio": 3}]:
        cases.append(run(rng, "ROIAlign", [feat, rois], kw, grad=(0,)))
    feat8 = rng.normal(size=(2, 8, 6, 7)).astype(np.float32)
    cases.append(run(rng, "ROIAlign", [feat8, rois[:2]], {
        "pooled_size": (2, 2), "spatial_scale": 1.0, "position_sensitive": True},
        grad=(0,)))
    return cases


def layer_cases(rng):
    cases = []
    x = rng.normal(size=(2, 2, 5, 6)).astype(np.float32)
    for kw in [{"height": 8, "width": 9}, {"height": 3, "width": 4},
               {"height": 8, "width": 9, "align_corners": False},
               {"height": 3, "width": 2, "align_corners": False},
               {"height": 1, "width": 1},
               {"height": 5, "width": 6},
               {"scale_height": 1.5, "scale_width": 2.0},
               {"mode": "odd_scale", "scale_height": 2.0, "scale_width": 0.5},
               {"mode": "to_even_down"}, {"mode": "to_even_up"},
               {"mode": "to_odd_down"}, {"mode": "to_odd_up"}]:
        cases.append(run(rng, "BilinearResize2D", [x], kw, grad=(0,)))
    # like: of data's N and C (MXNet 1.9.1 corrupts its heap in backward otherwise)
    like = np.zeros((2, 2, 7, 3), np.float32)
    cases.append(run(rng, "BilinearResize2D", [x, like], {"mode": "like"}, grad=(0, 1)))
    x = rng.normal(size=(2, 2, 7, 5)).astype(np.float32)
    # (MXNet 1.9.1 crashes on the default output_size=(): not frozen)
    for kw in [{"output_size": 1}, {"output_size": 3}, {"output_size": (4, 2)}, {"output_size": (7, 5)},
               {"output_size": (3, 8)}]:
        cases.append(run(rng, "AdaptiveAvgPooling2D", [x], kw, grad=(0,)))
    data = rng.normal(size=(4, 3)).astype(np.float32)
    cases.append(run(rng, "boolean_mask", [data, f32([0, 1, 0, 1])], grad=(0,)))
    cases.append(run(rng, "boolean_mask", [data, f32([1, 1, 0.5, 0])], grad=(0,)))
    cases.append(run(rng, "boolean_mask", [rng.normal(size=(3, 2, 2)).astype(np.float32),
                                           f32([0, 0, 2])], grad=(0,)))
    old, new = rng.normal(size=(5, 3)).astype(np.float32), rng.normal(
        size=(2, 3)).astype(np.float32)
    cases.append(run(rng, "index_copy", [old, f32([3, 0]), new], grad=(0, 2)))
    cases.append(run(rng, "index_copy", [rng.normal(size=(4, 2, 2)).astype(np.float32),
                                         np.array([1, 2, 0], np.int64),
                                         rng.normal(size=(3, 2, 2)).astype(np.float32)],
                     grad=(0, 2)))
    d = np.zeros((2, 3, 2), np.float32)
    for kw in [{}, {"axes": (1,)}, {"axes": (-1, 0)}]:
        cases.append(run(rng, "index_array", [d], kw))
    for kw in [{}, {"start": 2.0, "step": 0.5}, {"axis": 1, "repeat": 2, "start": 1.0},
               {"axis": -1, "step": -1.0}, {"repeat": 3}]:
        cases.append(run(rng, "arange_like", [d], kw))
    cases.append(run(rng, "arange_like", [np.zeros((2, 2), np.float64)], {"step": 0.25}))
    cases.append(run(rng, "div_sqrt_dim", [rng.normal(size=(2, 3, 5)).astype(np.float32)],
                     grad=(0,)))
    q = rng.normal(size=(3, 4)).astype(np.float32)
    cases.append(run(rng, "quadratic", [q], {"a": 1.5, "b": -2.0, "c": 0.5}, grad=(0,)))
    cases.append(run(rng, "quadratic", [q], {}, grad=(0,)))
    cases.append(run(rng, "gradientmultiplier", [q], {"scalar": -0.5}, grad=(0,)))
    cases.append(run(rng, "allclose", [q, q + 1e-7]))
    cases.append(run(rng, "allclose", [q, q + 1e-2]))
    cases.append(run(rng, "allclose", [q, q + 1e-2], {"rtol": 0.0, "atol": 0.011}))
    nan = q.copy()
    nan[0, 0] = np.nan
    cases.append(run(rng, "allclose", [nan, nan]))
    cases.append(run(rng, "allclose", [nan, nan], {"equal_nan": False}))
    x = rng.normal(size=(2, 3, 4, 4)).astype(np.float32)
    stats = [rng.uniform(0.5, 1.5, 3).astype(np.float32) for _ in range(2)] + \
        [rng.normal(size=3).astype(np.float32), rng.uniform(0.5, 1.5, 3).astype(np.float32)]
    bn_in = [x, stats[0], stats[2], stats[2] * 0.1, stats[3]]
    for kw in [{}, {"fix_gamma": False, "eps": 1e-5}, {"use_global_stats": True,
                                                       "fix_gamma": False}]:
        cases.append(run(rng, "SyncBatchNorm", bn_in, dict(kw, key="bn"), grad=(0, 1, 2)))
    cases.append(run(rng, "SyncBatchNorm", bn_in, {"fix_gamma": False, "key": "bn"},
                     note="inference"))
    return cases


def control_flow_cases(rng):
    """foreach / while_loop / cond: the programs of ``control_flow_bodies.py``."""
    nd, ag = mx.nd, mx.autograd
    out = {}
    x = nd.array(rng.normal(size=(4, 3)).astype(np.float32))
    h0 = nd.array(rng.normal(size=(3,)).astype(np.float32))
    w = nd.array(rng.normal(size=(3,)).astype(np.float32))
    for a in (x, h0, w):
        a.attach_grad()
    outs, state = bodies.rnn_foreach(nd, ag, x, h0, w)
    out["foreach"] = {"x": describe(x.asnumpy()), "h0": describe(h0.asnumpy()),
                      "w": describe(w.asnumpy()), "outs": describe(outs.asnumpy()),
                      "state": describe(state.asnumpy()),
                      "grads": [describe(a.grad.asnumpy()) for a in (x, h0, w)]}
    y = nd.array(rng.normal(size=(4, 2)).astype(np.float32))
    outs2, st2 = bodies.two_sequence_foreach(nd, x, y)
    out["foreach2"] = {"y": describe(y.asnumpy()),
                       "outs": [describe(o.asnumpy()) for o in outs2],
                       "states": [describe(s.asnumpy()) for s in st2]}
    v = nd.array([1.5])
    v.attach_grad()
    outs, final = bodies.accumulate_while(nd, ag, v)
    out["while_loop"] = {"outs": describe(outs[0].asnumpy()),
                         "final": [describe(f.asnumpy()) for f in final],
                         "grad_v": describe(v.grad.asnumpy())}
    for key, limit in (("cond_then", 5), ("cond_else", 7)):
        a, b = nd.array([2.0]), nd.array([3.0])
        a.attach_grad()
        b.attach_grad()
        r = bodies.branch(nd, ag, a, b, limit)
        out[key] = {"out": [describe(t.asnumpy()) for t in r],
                    "ga": describe(a.grad.asnumpy()), "gb": describe(b.grad.asnumpy())}
    return out


def main():
    rng = np.random.default_rng(2024)
    cases = detection_cases(rng) + layer_cases(rng)
    path = os.path.join(HERE, "contrib_cases.json")
    with open(path, "w") as f:
        json.dump({"mxnet": mx.__version__, "cases": cases,
                   "control_flow": control_flow_cases(rng)}, f)
    print(f"wrote {len(cases)} op cases to {path}")


if __name__ == "__main__":
    main()
