"""gluon.contrib.estimator: a 2-epoch fit with every handler reproduces real MXNet
1.9.1's log lines, warnings, metric names and values, checkpoint files and final
weights (frozen in tests/data/mxnet/gluon_contrib.json by
tests/data/mxnet/make_gluon_contrib.py); plus resuming, atomic checkpoints, early
stopping, custom batch processors and the argument errors."""
import json
import logging
import os
import re
import warnings

import numpy as np
import pytest

import pymx as mx
from pymx import gluon
from pymx.gluon import nn
from pymx.gluon.contrib import estimator as est_mod
from pymx.test_utils import assert_almost_equal

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "mxnet")
with open(os.path.join(DATA, "gluon_contrib.json")) as _f:
    EST = json.load(_f)["estimator"]


def _np(d):
    return np.array(d["values"], dtype=np.float32).reshape(d["shape"])


class _Capture(logging.Handler):
    """The estimator's log lines, with times masked as MXNet's were."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(re.sub(r"\d+\.\d+s|\d+s", "<t>", record.getMessage()))


def _loaders():
    train = gluon.data.DataLoader(gluon.data.ArrayDataset(_np(EST["x"]), _np(EST["y"])),
                                  batch_size=4)
    val = gluon.data.DataLoader(gluon.data.ArrayDataset(_np(EST["xv"]), _np(EST["yv"])),
                                batch_size=3)
    return train, val


def _net():
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(nn.Dense(5, activation="tanh", in_units=4), nn.Dense(3, in_units=5))
    net.initialize()
    for name, p in net.collect_params().items():
        p.set_data(mx.nd.array(_np(EST["params"][name[len(net.prefix):]])))
    return net


def _estimator(net, capture):
    trainer = gluon.Trainer(net.collect_params(), "sgd",
                            {"learning_rate": 0.5, "momentum": 0.9})
    est = est_mod.Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer,
                            context=mx.cpu())
    est.logger.handlers = [capture]         # quiet: no stdout handler in the tests
    return est


def _all_handlers(est, val, folder, **ckpt):
    return [est_mod.MetricHandler(metrics=est.train_metrics),
            est_mod.ValidationHandler(val_data=val, eval_fn=est.evaluate),
            est_mod.LoggingHandler(log_interval=2,
                                   metrics=est.train_metrics + est.val_metrics),
            est_mod.CheckpointHandler(folder, model_prefix="m", monitor=est.val_metrics[0],
                                      save_best=True, verbose=1, **ckpt),
            est_mod.EarlyStoppingHandler(monitor=est.val_metrics[1], patience=5),
            est_mod.GradientUpdateHandler()]


def test_fit_with_every_handler_matches_mxnet(tmp_path):
    train, val = _loaders()
    net = _net()
    net.hybridize()
    cap = _Capture()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        est = _estimator(net, cap)
        est.fit(train, val_data=val, epochs=2,
                event_handlers=_all_handlers(est, val, str(tmp_path), max_checkpoints=1))
    assert [str(m.message) for m in w] == EST["warnings"]
    folder = re.escape(str(tmp_path))
    assert [re.sub(folder, "<dir>", line) for line in cap.lines] == \
        [re.sub(r"/tmp/tmp\w+", "<dir>", line) for line in EST["log"]]
    assert sorted(os.listdir(tmp_path)) == EST["files"]
    for ours, (name, value) in zip(est.train_metrics + est.val_metrics,
                                   EST["train_metrics"] + EST["val_metrics"]):
        assert ours.get()[0] == name
        assert_almost_equal(ours.get()[1], value, rtol=1e-4, atol=1e-5)
    for name, p in net.collect_params().items():
        assert_almost_equal(p.data().asnumpy(), _np(EST["weights"][name[len(net.prefix):]]),
                            rtol=1e-4, atol=1e-5)
    # the files are MXNet's formats: parameters, symbol, trainer states
    loaded = mx.nd.load(str(tmp_path / "m-epoch1batch6.params"))
    assert sorted(loaded) == ["0.bias", "0.weight", "1.bias", "1.weight"]
    assert_almost_equal(loaded["1.weight"].asnumpy(), net[1].weight.data().asnumpy())
    sym = mx.sym.load(str(tmp_path / "m-symbol.json"))
    assert "net_dense1_weight" in sym.list_arguments()
    assert not [f for f in os.listdir(tmp_path) if ".tmp" in f]


def test_default_estimator_matches_mxnet():
    """No trainer: MXNet's warning, SGD lr 0.001; the default handlers; batches=3."""
    d = EST["default"]
    net = nn.Dense(3, in_units=4, prefix="d_")
    net.initialize()
    cap = _Capture()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        est = est_mod.Estimator(net, gluon.loss.L2Loss())
        est.logger.handlers = [cap]
        y = np.zeros((12, 3), np.float32)
        est.fit(gluon.data.DataLoader(gluon.data.ArrayDataset(_np(EST["x"]), y),
                                      batch_size=6), batches=3)
    assert [str(m.message) for m in w] == d["warnings"]
    masked = [re.sub(r"l2loss: [\d.]+", "l2loss: <v>", line) for line in cap.lines]
    assert masked == [re.sub(r"l2loss: [\d.]+", "l2loss: <v>", line) for line in d["log"]]
    assert [m.get()[0] for m in est.train_metrics] == [n for n, _ in d["train_metrics"]]
    assert [m.name for m in est.val_metrics] == d["val_metrics"]


with open(os.path.join(DATA, "gluon_contrib.json")) as _f:
    RESUME = json.load(_f)["resume"]


def _fit_checkpointed(folder, prefix, resume=False, periods=None, **kw):
    train, _ = _loaders()
    est = _estimator(_net(), _Capture())
    est.fit(train, event_handlers=[est_mod.CheckpointHandler(
        folder, model_prefix=prefix, resume_from_checkpoint=resume, **(periods or {}))],
        **kw)
    return sorted(os.listdir(folder)), est


def test_resume_from_checkpoint_numbers_files_as_mxnet(tmp_path):
    """Resuming continues the epoch/batch numbering; ``epochs``/``batches`` count the
    whole run (MXNet 1.9.1's file lists)."""
    d = str(tmp_path / "e")
    first, est = _fit_checkpointed(d, "r", epochs=1)
    weights = {k: p.data().asnumpy() for k, p in est.net.collect_params().items()}
    assert first == RESUME["epochs"][0]
    # the checkpoint's weights replace the fresh ones at train_begin
    est2 = _estimator(_net(), _Capture())
    est2.max_epoch, est2.max_batch = 3, None
    est_mod.CheckpointHandler(d, model_prefix="r", resume_from_checkpoint=True) \
        .train_begin(est2)
    assert est2.max_epoch == 2
    for k, p in est2.net.collect_params().items():
        assert_almost_equal(p.data().asnumpy(), weights[k])
    assert _fit_checkpointed(d, "r", True, epochs=3)[0] == RESUME["epochs"][1]
    with pytest.raises(ValueError, match="maximum number of epoch 3 reached"):
        _fit_checkpointed(d, "r", True, epochs=3)
    d = str(tmp_path / "b")
    per_batch = dict(epoch_period=None, batch_period=1)
    assert _fit_checkpointed(d, "b", periods=per_batch, batches=2)[0] == \
        RESUME["batches"][0]
    assert _fit_checkpointed(d, "b", True, dict(epoch_period=None, batch_period=2),
                             batches=5)[0] == RESUME["batches"][1]


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    """A save that fails half-way leaves the previous files intact and no temp file."""
    train, _ = _loaders()
    est = _estimator(_net(), _Capture())
    ckpt = est_mod.CheckpointHandler(str(tmp_path), model_prefix="a", max_checkpoints=9)
    est.fit(train, epochs=1, event_handlers=[ckpt])
    path = tmp_path / "a-epoch0batch3.states"
    before = path.read_bytes()

    def broken(fname):
        with open(fname, "wb") as f:
            f.write(b"partial")
        raise OSError("disk full")
    monkeypatch.setattr(est.trainer, "save_states", broken)
    ckpt.current_epoch, ckpt.current_batch = 0, 3
    with pytest.raises(OSError, match="disk full"):
        ckpt._save_checkpoint(est)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["a-epoch0batch3.params", "a-epoch0batch3.states"]


def test_early_stopping_and_its_log():
    train, val = _loaders()
    cap = _Capture()
    est = _estimator(_net(), cap)
    # a "min" monitor on accuracy that cannot go below 0: stops after `patience` epochs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stop = est_mod.EarlyStoppingHandler(monitor=est.train_metrics[0], mode="min",
                                            baseline=0.0, patience=2)
    est.fit(train, epochs=10, event_handlers=[stop])
    assert stop.stopped_epoch == 1 and stop.current_epoch == 2
    assert cap.lines[-2] == "[Epoch 1] EarlyStoppingHanlder: early stopping due to " \
                            "training accuracy not improving"
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        est_mod.EarlyStoppingHandler(monitor=est.train_metrics[0], mode="bad")
    assert [m.category for m in w] == [RuntimeWarning, UserWarning]
    assert "EarlyStopping mode bad is unknown" in str(w[0].message)
    with pytest.warns(UserWarning, match="`greater` operator will be used"):
        h = est_mod.EarlyStoppingHandler(monitor=est.train_metrics[1])   # a loss!
    assert h.monitor_op is np.greater            # MXNet 1.9.1's auto mode, as it is
    with pytest.raises(ValueError, match="CompositeEvalMetric is not supported"):
        est_mod.EarlyStoppingHandler(monitor=mx.metric.CompositeEvalMetric())


def test_batch_processor_and_validation_period():
    calls = []

    class Counting(est_mod.BatchProcessor):
        def fit_batch(self, estimator, train_batch, batch_axis=0):
            calls.append(train_batch[0].shape[0])
            return super().fit_batch(estimator, train_batch, batch_axis)

    train, val = _loaders()
    net = _net()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    est = est_mod.Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer,
                            batch_processor=Counting())
    cap = _Capture()
    est.logger.handlers = [cap]
    vh = est_mod.ValidationHandler(val, est.evaluate, epoch_period=None, batch_period=2)
    est.fit(train, batches=5, event_handlers=[vh])
    assert calls == [4, 4, 4, 4, 4]
    assert cap.lines.count("Validation Begin") == 2      # after batches 2 and 4
    assert not np.isnan(est.val_metrics[0].get()[1])
    with pytest.raises(ValueError, match="fit_batch\\(\\) and evaluate_batch\\(\\)"):
        est_mod.Estimator(net, gluon.loss.L2Loss(), trainer=trainer, batch_processor=object())


def test_argument_errors():
    train, _ = _loaders()
    net = _net()
    trainer = gluon.Trainer(net.collect_params(), "sgd")
    with pytest.raises(ValueError, match="loss must be a Loss"):
        est_mod.Estimator(net, "l2", trainer=trainer)
    with pytest.raises(ValueError, match="context must be a Context"):
        est_mod.Estimator(net, gluon.loss.L2Loss(), trainer=trainer, context="cpu")
    with pytest.raises(ValueError, match="Trainer must be a Gluon Trainer"):
        est_mod.Estimator(net, gluon.loss.L2Loss(), trainer="sgd")
    with pytest.warns(UserWarning, match="Network already fully initialized"):
        est = est_mod.Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer,
                                initializer=mx.init.Xavier())
    est.logger.handlers = []
    with pytest.raises(ValueError, match="one and only one of: epochs or batches"):
        est.fit(train, epochs=1, batches=2)
    with pytest.raises(ValueError, match="only support input as Gluon DataLoader"):
        est.fit([1, 2], epochs=1)
    with pytest.raises(ValueError, match="refers to a metric instance"):
        est.fit(train, epochs=1, event_handlers=[
            est_mod.MetricHandler(metrics=[mx.metric.Accuracy()])])
    with pytest.raises(ValueError, match="log_interval must be"):
        est_mod.LoggingHandler(log_interval="batch")
    with pytest.raises(ValueError, match="please provide one of the metric objects"):
        est_mod.CheckpointHandler("unused_dir_never_made", save_best=True)
