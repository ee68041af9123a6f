"""mx.metric against frozen MXNet 1.9.1 values (``tests/data/mxnet/metrics.json``, made by
``tests/data/mxnet/make_metrics.py``: two batches, get/get_global, reset_local, a third
batch, get/get_global), plus the behaviours of MXNet's test_metric.py."""
import json
import math
import os

import numpy as np
import pytest

import pymx as mx
import pymx.metric as metric

DATA = os.path.join(os.path.dirname(__file__), "data", "mxnet", "metrics.json")
with open(DATA) as _f:
    FROZEN = json.load(_f)


def _close(got, want):
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    return got == pytest.approx(want, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("case", FROZEN["cases"],
                         ids=[f"{c['metric']}-{i}" for i, c in enumerate(FROZEN["cases"])])
def test_matches_mxnet(case):
    m = metric.create(case["metric"], *case["args"], **case["kwargs"])
    rec = []
    for i, (lab, pred) in enumerate(FROZEN["data"][case["task"]]):
        m.update([mx.nd.array(lab)], [mx.nd.array(pred)])
        if i == 1:
            rec.append([m.get(), m.get_global()])
            m.reset_local()
    rec.append([m.get(), m.get_global()])
    for got_pair, want_pair in zip(rec, case["values"]):
        for (gname, gval), (wname, wval) in zip(got_pair, want_pair):
            assert gname == wname
            assert _close(float(gval), wval), (case["metric"], gval, wval)


def test_create_names_and_forms():
    assert isinstance(metric.create("acc"), metric.Accuracy)
    assert isinstance(metric.create("ce"), metric.CrossEntropy)
    assert isinstance(metric.create("nll_loss"), metric.NegativeLogLikelihood)
    assert isinstance(metric.create("pearsonr"), metric.PearsonCorrelation)
    assert isinstance(metric.create("top_k_accuracy", top_k=3), metric.TopKAccuracy)
    comp = metric.create(["acc", "mse"])
    assert isinstance(comp, metric.CompositeEvalMetric) and len(comp.metrics) == 2
    custom = metric.create(lambda label, pred: 1.0)
    assert isinstance(custom, metric.CustomMetric) and custom.name == "custom(<lambda>)"
    acc = metric.Accuracy()
    assert metric.create(acc) is acc
    with pytest.raises(AssertionError):       # MXNet 1.9.1's registry asserts
        metric.create("nosuch")


def test_labels_first_and_argmax():
    acc = metric.Accuracy()
    pred = mx.nd.array([[0.3, 0.7], [0.9, 0.1], [0.2, 0.8]])
    label = mx.nd.array([1, 1, 1])
    acc.update([label], [pred])
    assert acc.get() == ("accuracy", 2 / 3)
    acc2 = metric.Accuracy()
    acc2.update([mx.nd.array([1, 0])], [mx.nd.array([1.7, 0.2])])   # same shape: int cast
    assert acc2.get()[1] == 1.0
    with pytest.raises(ValueError, match="does not match"):
        acc.update([label, label], [pred])


def test_nan_before_update_and_f1_all_negative():
    assert math.isnan(metric.F1().get()[1])
    f1 = metric.F1()
    f1.update([mx.nd.array([0, 0, 0])], [mx.nd.array([[0.9, 0.1]] * 3)])
    assert f1.get()[1] == 0.0


def test_f1_rejects_multiclass():
    with pytest.raises(ValueError, match="binary"):
        metric.F1().update([mx.nd.array([0, 1, 2])], [mx.nd.array([[0.5, 0.5]] * 3)])


def test_regression_metrics_are_means_of_batch_means():
    # batch 1: |err| = [1, 1]; batch 2: |err| = [4]  ->  (1 + 4)/2, not (1+1+4)/3
    mae, mse, rmse = metric.MAE(), metric.MSE(), metric.RMSE()
    for m in (mae, mse, rmse):
        m.update([mx.nd.array([0, 0])], [mx.nd.array([1, -1])])
        m.update(mx.nd.array([0]), mx.nd.array([4]))      # a bare NDArray works too
    assert mae.get()[1] == pytest.approx(2.5)
    assert mse.get()[1] == pytest.approx(8.5)
    assert rmse.get()[1] == pytest.approx(2.5)


def test_perplexity_formula_and_ignore():
    p = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    lab = np.array([0, 1, 0])
    m = metric.Perplexity(ignore_label=None)
    m.update([mx.nd.array(lab)], [mx.nd.array(p)])
    want = math.exp(-np.mean(np.log([0.5, 0.8, 0.2])))
    assert m.get()[1] == pytest.approx(want, rel=1e-6)
    m = metric.Perplexity(ignore_label=0)
    m.update([mx.nd.array(lab)], [mx.nd.array(p)])
    assert m.get()[1] == pytest.approx(1 / 0.8, rel=1e-6)
    m = metric.Perplexity(ignore_label=None, axis=0)   # classes along axis 0
    m.update([mx.nd.array(lab)], [mx.nd.array(p.T)])
    assert m.get()[1] == pytest.approx(want, rel=1e-6)


def test_global_vs_local():
    acc = metric.Accuracy()
    acc.update([mx.nd.array([1, 1])], [mx.nd.array([[0, 1], [0, 1]])])
    acc.reset_local()
    assert math.isnan(acc.get()[1]) and acc.get_global()[1] == 1.0
    acc.update([mx.nd.array([0, 0])], [mx.nd.array([[0, 1], [0, 1]])])
    assert acc.get()[1] == 0.0 and acc.get_global()[1] == 0.5
    acc.reset()
    assert math.isnan(acc.get_global()[1])


def test_composite_and_name_value():
    comp = metric.CompositeEvalMetric(["acc", "ce"])
    pred = mx.nd.array([[0.25, 0.75], [0.5, 0.5]])
    comp.update([mx.nd.array([1, 0])], [pred])
    names, values = comp.get()
    assert names == ["accuracy", "cross-entropy"]
    assert values[0] == 1.0      # argmax picks the first of a tie: [0.5, 0.5] -> class 0
    assert values[1] == pytest.approx(-(math.log(0.75) + math.log(0.5)) / 2, rel=1e-6)
    assert comp.get_name_value()[1][0] == "cross-entropy"
    assert isinstance(comp.get_metric(5), ValueError)
    assert metric.MSE().get_name_value()[0][0] == "mse"


def test_loss_and_custom_and_np():
    loss = metric.Loss()
    loss.update(None, [mx.nd.array([1.0, 2.0, 3.0])])
    assert loss.get() == ("loss", 2.0)

    def tuple_feval(label, pred):
        return float(np.sum(label == pred)), label.size
    c = metric.CustomMetric(tuple_feval)
    c.update([mx.nd.array([1, 2, 3])], [mx.nd.array([1, 0, 3])])
    assert c.get() == ("tuple_feval", 2 / 3)

    def my_mae(label, pred):
        return np.abs(label - pred).mean()
    m = metric.np(my_mae)
    m.update([mx.nd.array([1, 2])], [mx.nd.array([2, 4])])
    assert m.get() == ("my_mae", 1.5)
    with pytest.raises(NotImplementedError):
        m.get_config()


def test_update_dict_and_config():
    acc = metric.Accuracy(output_names=["out"], label_names=["lab"])
    acc.update_dict({"lab": mx.nd.array([1]), "x": mx.nd.array([0])},
                    {"out": mx.nd.array([[0.0, 1.0]])})
    assert acc.get()[1] == 1.0
    cfg = acc.get_config()
    assert cfg["metric"] == "Accuracy" and cfg["axis"] == 1 and cfg["name"] == "accuracy"


def test_check_label_shapes():
    a = mx.nd.zeros((2,))
    labels, preds = metric.check_label_shapes(a, a, wrap=True)
    assert isinstance(labels, list) and isinstance(preds, list)
    with pytest.raises(ValueError):
        metric.check_label_shapes(mx.nd.zeros((2,)), mx.nd.zeros((3,)), shape=True)


def test_values_are_float64_sums_of_float32_batches_as_in_mxnet():
    """MXNet 1.9.1 (NumPy 1.23) adds each batch's float32 sum to a float64 counter;
    ``get()`` gives a float64.  Values printed by MXNet 1.9.1 for these inputs."""
    p = mx.nd.array([[0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])
    lab = mx.nd.array([1, 0, 0])
    want = {"ce": 0.825646162033081, "nll_loss": 0.825646162033081,
            "mse": 0.1666666716337204, "mae": 0.3333333432674408,
            "rmse": 0.40824830532073975}
    for name, value in want.items():
        m = mx.metric.create(name)
        if name in ("mse", "mae", "rmse"):
            m.update([mx.nd.array([1., 2, 3])], [mx.nd.array([1.5, 2, 2.5])])
        else:
            m.update([lab], [p])
        got = m.get()[1]
        assert type(got) is float and got == value, (name, got)
