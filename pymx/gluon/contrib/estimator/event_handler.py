"""The Estimator's event handlers.

A handler is an object with some of six methods, one per event of the training loop;
the mixin class it inherits says which ones it has::

    TrainBegin.train_begin   EpochBegin.epoch_begin   BatchBegin.batch_begin
    TrainEnd.train_end       EpochEnd.epoch_end       BatchEnd.batch_end

Each method gets the estimator (``batch_end`` also ``batch``, ``pred``, ``label``,
``loss``); ``batch_end``/``epoch_end`` return True to stop training.  Handlers run in
ascending ``priority`` (default 0): ``GradientUpdateHandler`` -2000 (the weights move
first), ``MetricHandler`` and ``ValidationHandler`` -1000 (metrics are up to date
before anyone reads them), ``LoggingHandler`` +inf (it logs last).

Log lines, warnings and the choice of "better" follow MXNet 1.9.1 exactly, including
two quirks of its code: ``mode='auto'`` always means *greater is better* (MXNet's test
``'acc' or 'f1' in name`` is always true), and ``CheckpointHandler``'s "did not
improve" line prints the batch count as the epoch.
"""
import math
import os
import time
import warnings

import numpy as np

from ....metric import CompositeEvalMetric, EvalMetric
from ....metric import Loss as metric_loss
from .utils import _check_metrics

__all__ = ["TrainBegin", "TrainEnd", "EpochBegin", "EpochEnd", "BatchBegin", "BatchEnd",
           "StoppingHandler", "MetricHandler", "ValidationHandler", "LoggingHandler",
           "CheckpointHandler", "EarlyStoppingHandler", "GradientUpdateHandler"]


class EventHandler:
    """Base class of every handler."""


def _check_event_handlers(handlers):
    """``handlers`` as a list of EventHandler (one handler or None allowed)."""
    if isinstance(handlers, EventHandler):
        return [handlers]
    handlers = handlers or []
    if not all(isinstance(handler, EventHandler) for handler in handlers):
        raise ValueError("handlers must be an EventHandler or a list of EventHandler, "
                         "got: {}".format(handlers))
    return handlers


class TrainBegin(EventHandler):
    """Has ``train_begin(estimator)``: called once before the first epoch."""

    def train_begin(self, estimator, *args, **kwargs):
        """Do nothing."""


class TrainEnd(EventHandler):
    """Has ``train_end(estimator)``: called once after the last epoch."""

    def train_end(self, estimator, *args, **kwargs):
        """Do nothing."""


class EpochBegin(EventHandler):
    """Has ``epoch_begin(estimator)``."""

    def epoch_begin(self, estimator, *args, **kwargs):
        """Do nothing."""


class EpochEnd(EventHandler):
    """Has ``epoch_end(estimator)``; True stops training."""

    def epoch_end(self, estimator, *args, **kwargs):
        """Do not stop."""
        return False


class BatchBegin(EventHandler):
    """Has ``batch_begin(estimator, batch=...)``."""

    def batch_begin(self, estimator, *args, **kwargs):
        """Do nothing."""


class BatchEnd(EventHandler):
    """Has ``batch_end(estimator, batch=, pred=, label=, loss=)``; True stops."""

    def batch_end(self, estimator, *args, **kwargs):
        """Do not stop."""
        return False


class StoppingHandler(TrainBegin, BatchEnd, EpochEnd):
    """Stop after ``max_epoch`` epochs or ``max_batch`` batches (read from the
    estimator's ``fit`` arguments at ``train_begin``).  ``fit`` always adds one."""

    def __init__(self, max_epoch=None, max_batch=None):
        self.max_epoch = max_epoch
        self.max_batch = max_batch
        self.current_batch = 0
        self.current_epoch = 0
        self.stop_training = False

    def train_begin(self, estimator, *args, **kwargs):
        """Take the limits from the estimator; reset the counters."""
        self.max_epoch = estimator.max_epoch
        self.max_batch = estimator.max_batch
        self.current_batch = 0
        self.current_epoch = 0

    def batch_end(self, estimator, *args, **kwargs):
        """Count the batch; True once ``max_batch`` is reached."""
        self.current_batch += 1
        if self.current_batch == self.max_batch:
            self.stop_training = True
        return self.stop_training

    def epoch_end(self, estimator, *args, **kwargs):
        """Count the epoch; True once ``max_epoch`` is reached."""
        self.current_epoch += 1
        if self.current_epoch == self.max_epoch:
            self.stop_training = True
        return self.stop_training


class MetricHandler(EpochBegin, BatchEnd):
    """Reset ``metrics`` at each epoch's start and update them after each batch: a
    ``metric.Loss`` gets the batch's losses, every other metric ``(label, pred)``."""

    def __init__(self, metrics, priority=-1000):
        self.metrics = _check_metrics(metrics)
        self.priority = priority

    def epoch_begin(self, estimator, *args, **kwargs):
        """Reset the metrics."""
        for metric in self.metrics:
            metric.reset()

    def batch_end(self, estimator, *args, **kwargs):
        """Update the metrics with this batch."""
        for metric in self.metrics:
            if isinstance(metric, metric_loss):
                metric.update(0, kwargs["loss"])
            else:
                metric.update(kwargs["label"], kwargs["pred"])


class _Periodic:
    """Counters of a handler that acts every ``epoch_period`` epochs and/or every
    ``batch_period`` batches (ValidationHandler, CheckpointHandler)."""

    def _set_periods(self, epoch_period, batch_period):
        self.epoch_period = epoch_period
        self.batch_period = batch_period
        self.current_batch = 0
        self.current_epoch = 0


class ValidationHandler(_Periodic, TrainBegin, BatchEnd, EpochEnd):
    """Call ``eval_fn(val_data=, batch_axis=, event_handlers=)`` (usually
    ``estimator.evaluate``) every ``epoch_period`` epochs and, if given, every
    ``batch_period`` batches."""

    def __init__(self, val_data, eval_fn, epoch_period=1, batch_period=None,
                 priority=-1000, event_handlers=None):
        self.val_data = val_data
        self.eval_fn = eval_fn
        self._set_periods(epoch_period, batch_period)
        self.priority = priority
        self.event_handlers = event_handlers

    def _validate(self, estimator):
        self.eval_fn(val_data=self.val_data, batch_axis=estimator.batch_axis,
                     event_handlers=self.event_handlers)

    def train_begin(self, estimator, *args, **kwargs):
        """Reset the counters."""
        self.current_batch = 0
        self.current_epoch = 0

    def batch_end(self, estimator, *args, **kwargs):
        """Validate every ``batch_period`` batches."""
        self.current_batch += 1
        if self.batch_period and self.current_batch % self.batch_period == 0:
            self._validate(estimator)

    def epoch_end(self, estimator, *args, **kwargs):
        """Validate every ``epoch_period`` epochs."""
        self.current_epoch += 1
        if self.epoch_period and self.current_epoch % self.epoch_period == 0:
            self._validate(estimator)


def _metric_text(metrics):
    return "".join("%s: %.4f, " % metric.get() for metric in metrics)


class LoggingHandler(TrainBegin, TrainEnd, EpochBegin, EpochEnd, BatchBegin, BatchEnd):
    """Log to ``estimator.logger`` (stdout): the optimizer and learning rate at the
    start, each epoch's time and ``metrics``, every ``log_interval`` batches (an int)
    the batch, sample count and metrics, and a summary at the end::

        [Epoch 0] Begin, current learning rate: 0.5000
        [Epoch 0][Batch 0][Samples 4] time/interval: 0.004s training accuracy: 0.2500
        [Epoch 0] Finished in 0.010s, training accuracy: 0.3333, ...

    Given validation metrics only (as ``evaluate`` does), an epoch is logged as
    "Validation Begin" and "[Epoch 0] Finished ..." (MXNet's wording).
    """

    def __init__(self, log_interval="epoch", metrics=None, priority=math.inf):
        super().__init__()
        if not isinstance(log_interval, int) and log_interval != "epoch":
            raise ValueError("log_interval must be either an integer or string 'epoch'")
        self.metrics = _check_metrics(metrics)
        self.batch_index = 0
        self.current_epoch = 0
        self.processed_samples = 0
        self.priority = priority
        self.log_interval = log_interval
        self.log_interval_time = 0

    def train_begin(self, estimator, *args, **kwargs):
        """Log the optimizer, learning rate and length of training."""
        self.train_start = time.time()
        trainer = estimator.trainer
        estimator.logger.info("Training begin: using optimizer %s "
                              "with current learning rate %.4f ",
                              trainer.optimizer.__class__.__name__, trainer.learning_rate)
        if estimator.max_epoch:
            estimator.logger.info("Train for %d epochs.", estimator.max_epoch)
        else:
            estimator.logger.info("Train for %d batches.", estimator.max_batch)
        self.current_epoch = 0
        self.batch_index = 0
        self.processed_samples = 0
        self.log_interval_time = 0

    def train_end(self, estimator, *args, **kwargs):
        """Log the total time and the final metrics."""
        msg = "Train finished using total %ds with %d epochs. " % (
            time.time() - self.train_start, self.current_epoch)
        estimator.logger.info((msg + _metric_text(self.metrics)).rstrip(", "))

    def batch_begin(self, estimator, *args, **kwargs):
        """Start the batch timer."""
        if isinstance(self.log_interval, int):
            self.batch_start = time.time()

    def batch_end(self, estimator, *args, **kwargs):
        """Count samples; every ``log_interval`` batches log the metrics."""
        if isinstance(self.log_interval, int):
            batch_time = time.time() - self.batch_start
            msg = "[Epoch %d][Batch %d]" % (self.current_epoch, self.batch_index)
            self.processed_samples += kwargs["batch"][0].shape[0]
            msg += "[Samples %s] " % self.processed_samples
            self.log_interval_time += batch_time
            if self.batch_index % self.log_interval == 0:
                msg += "time/interval: %.3fs " % self.log_interval_time
                self.log_interval_time = 0
                estimator.logger.info((msg + _metric_text(self.metrics)).rstrip(", "))
        self.batch_index += 1

    def epoch_begin(self, estimator, *args, **kwargs):
        """Log the epoch's start (training) or "Validation Begin"."""
        self.epoch_start = time.time()
        if any("training" in metric.name for metric in self.metrics):
            estimator.logger.info("[Epoch %d] Begin, current learning rate: %.4f",
                                  self.current_epoch, estimator.trainer.learning_rate)
        else:
            estimator.logger.info("Validation Begin")

    def epoch_end(self, estimator, *args, **kwargs):
        """Log the epoch's time and metrics."""
        msg = "[Epoch %d] Finished in %.3fs, " % (self.current_epoch,
                                                  time.time() - self.epoch_start)
        estimator.logger.info((msg + _metric_text(self.metrics)).rstrip(", "))
        self.current_epoch += 1
        self.batch_index = 0


def _monitor_op(handler_name, mode, monitor):
    """``np.less`` or ``np.greater``: how ``monitor`` improves (MXNet's rules)."""
    if mode not in ("auto", "min", "max"):
        warnings.warn("%s mode %s is unknown, fallback to auto mode. CheckpointHandler will "
                      "usemax mode for f1 and accuracy metric comparison and use min mode "
                      "other wise" % (handler_name, mode), RuntimeWarning)
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    # MXNet 1.9.1 tests `'acc' or 'f1' in name`, which is always true: auto means max
    warnings.warn("`greater` operator will be used to determine if {} has improved. "
                  "Please specify `mode='min'` to use the `less` operator. "
                  "Specify `mode='max' to disable this warning.`".format(monitor.get()[0]))
    return np.greater


def _replace_atomically(path, write):
    """``write(tmp)`` then rename ``tmp`` to ``path``: a crash leaves the old file."""
    tmp = "%s.tmp%d" % (path, os.getpid())
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class CheckpointHandler(_Periodic, TrainBegin, BatchEnd, EpochEnd):
    """Save the model while training, in ``model_dir``:

    * ``<prefix>-symbol.json`` after the first batch, if the net is hybridized;
    * ``<prefix>-epoch<E>batch<B>.params`` (``net.save_parameters``) and ``.states``
      (``trainer.save_states``) every ``epoch_period`` epochs / ``batch_period``
      batches (E and B count from 0; B is the number of batches trained before);
      only the newest ``max_checkpoints`` are kept;
    * ``<prefix>-best.params/.states`` whenever ``monitor`` improves
      (``save_best=True``; ``mode`` 'min', 'max' or 'auto', see the module docstring).

    Every file is written to a temporary name and renamed, so an interrupted run keeps
    the previous complete checkpoint.  ``resume_from_checkpoint=True`` loads the newest
    checkpoint at ``train_begin`` and shortens ``fit``'s epochs/batches accordingly.
    """

    def __init__(self, model_dir, model_prefix="model", monitor=None, verbose=0,
                 save_best=False, mode="auto", epoch_period=1, batch_period=None,
                 max_checkpoints=5, resume_from_checkpoint=False):
        self.monitor = monitor
        self.verbose = verbose
        os.makedirs(model_dir, exist_ok=True)
        self.model_dir = model_dir
        self.model_prefix = model_prefix
        self.save_best = save_best
        if self.save_best and not isinstance(self.monitor, EvalMetric):
            raise ValueError("To save best model only, please provide one of the metric "
                             "objects from estimator.train_metrics and "
                             "estimator.val_metrics as monitor.")
        self._set_periods(epoch_period, batch_period)
        self.max_checkpoints = max_checkpoints
        self.resume_from_checkpoint = resume_from_checkpoint
        self.saved_checkpoints = []
        if self.save_best:
            self.monitor_op = _monitor_op("ModelCheckpoint", mode, monitor)
            self.best = np.inf if self.monitor_op is np.less else -np.inf

    def train_begin(self, estimator, *args, **kwargs):
        """Reset counters and the best value; resume if asked."""
        self.current_epoch = 0
        self.current_batch = 0
        if self.save_best:
            self.best = np.inf if self.monitor_op is np.less else -np.inf
        if self.resume_from_checkpoint:
            error_msg = "To use resume from checkpoint, you must only specify " \
                        "the same type of period you used for training." \
                        "For example, if you are training based on number of epochs," \
                        "you must save only based on epochs, and set batch_period to None."
            if estimator.max_batch:
                assert self.batch_period, error_msg
                assert not self.epoch_period, error_msg
            if estimator.max_epoch:
                assert self.epoch_period, error_msg
                assert not self.batch_period, error_msg
            self._resume_from_checkpoint(estimator)

    def batch_end(self, estimator, *args, **kwargs):
        """Save the symbol after the first batch; a checkpoint every batch_period."""
        if self.current_batch == 0:
            self._save_symbol(estimator)
        if self.batch_period and (self.current_batch + 1) % self.batch_period == 0:
            self._save_checkpoint(estimator)
        self.current_batch += 1

    def epoch_end(self, estimator, *args, **kwargs):
        """A checkpoint every epoch_period epochs."""
        if self.epoch_period and (self.current_epoch + 1) % self.epoch_period == 0:
            self._save_checkpoint(estimator)
        self.current_epoch += 1

    def _save_checkpoint(self, estimator):
        if self.resume_from_checkpoint:
            epoch = self.current_epoch + self.trained_epoch + 1
            # at epoch end the batch counter has already moved past the last batch
            batch = self.current_batch + self.trained_batch + (0 if estimator.max_epoch
                                                               else 1)
        else:
            epoch, batch = self.current_epoch, self.current_batch
        prefix = "%s-epoch%dbatch%d" % (self.model_prefix, epoch, batch)
        self._save_params_and_trainer(estimator, prefix)
        if self.verbose > 0:
            estimator.logger.info("[Epoch %d] CheckpointHandler: trained total %d batches, "
                                  "saving model at %s with prefix: %s", self.current_epoch,
                                  self.current_batch + 1, self.model_dir, prefix)
        if self.save_best:
            self._save_best(estimator)

    def _save_best(self, estimator):
        monitor_name, monitor_value = self.monitor.get()
        if np.isnan(monitor_value):
            warnings.warn(RuntimeWarning(
                "Skipping save best because %s is not updated, make sure you pass one of "
                "the metric objects estimator.train_metrics and estimator.val_metrics as "
                "monitor" % monitor_name))
        elif self.monitor_op(monitor_value, self.best):
            prefix = self.model_prefix + "-best"
            self._save_params_and_trainer(estimator, prefix)
            self.best = monitor_value
            if self.verbose > 0:     # MXNet logs the new best as the old one too
                estimator.logger.info("[Epoch %d] CheckpointHandler: "
                                      "%s improved from %0.5f to %0.5f, "
                                      "updating best model at %s with prefix: %s",
                                      self.current_epoch, monitor_name, self.best,
                                      monitor_value, self.model_dir, prefix)
        elif self.verbose > 0:       # MXNet prints the batch counter as the epoch
            estimator.logger.info("[Epoch %d] CheckpointHandler: "
                                  "%s did not improve from %0.5f, "
                                  "skipping updating best model",
                                  self.current_batch, monitor_name, self.best)

    def _save_symbol(self, estimator):
        symbol_file = os.path.join(self.model_dir, self.model_prefix + "-symbol.json")
        graph = getattr(estimator.net, "_cached_graph", None)
        if graph:
            _replace_atomically(symbol_file, graph[1].save)
        else:
            estimator.logger.info(
                "Model architecture(symbol file) is not saved, please use HybridBlock "
                "to construct your model, and call net.hybridize() before passing to "
                "Estimator in order to save model architecture as %s.", symbol_file)

    def _save_params_and_trainer(self, estimator, file_prefix):
        base = os.path.join(self.model_dir, file_prefix)
        _replace_atomically(base + ".params", estimator.net.save_parameters)
        _replace_atomically(base + ".states", estimator.trainer.save_states)
        if "best" not in file_prefix:
            self.saved_checkpoints.append(file_prefix)
        if len(self.saved_checkpoints) > self.max_checkpoints:
            old = self.saved_checkpoints.pop(0)
            for ext in (".params", ".states"):
                path = os.path.join(self.model_dir, old + ext)
                if os.path.exists(path):
                    os.remove(path)

    def _resume_from_checkpoint(self, estimator):
        prefix = self.model_prefix + "-epoch"
        self.trained_epoch = self._find_max_iteration(
            self.model_dir, prefix, "epoch", "batch", self.saved_checkpoints)
        self.trained_batch = self._find_max_iteration(
            self.model_dir, prefix + str(self.trained_epoch), "batch", ".params")
        if self.trained_epoch == -1:
            msg = "CheckpointHandler: No checkpoint found, training from scratch for "
            msg += ("%d batches" % estimator.max_batch if estimator.max_batch
                    else "%d epochs" % estimator.max_epoch)
            estimator.logger.info(msg)
            return
        msg = "CheckpointHandler: Checkpoint resumed from epoch %d batch %d, " \
              "continue to train for " % (self.trained_epoch, self.trained_batch)
        if estimator.max_epoch:
            if self.trained_epoch >= estimator.max_epoch - 1:
                raise ValueError("Found checkpoint with maximum number of epoch %d reached, "
                                 "please specify resume_from_checkpoint=False (default "
                                 "value) if you wan to train from scratch."
                                 % estimator.max_epoch)
            estimator.max_epoch = estimator.max_epoch - self.trained_epoch - 1
            msg += "%d epochs " % estimator.max_epoch
        if estimator.max_batch:
            if self.trained_batch >= estimator.max_batch - 1:
                raise ValueError("Found checkpoint with maximum number of batch %d reached, "
                                 "please specifyresume_from_checkpoint=False (default value) "
                                 "if you wan to train from scratch." % self.trained_batch)
            estimator.max_batch = estimator.max_batch - self.trained_batch - 1
            msg += "%d batches " % estimator.max_batch
        base = os.path.join(self.model_dir, "%s-epoch%dbatch%d" % (
            self.model_prefix, self.trained_epoch, self.trained_batch))
        for ext in (".params", ".states"):
            assert os.path.exists(base + ext), \
                "Failed to load checkpoint, %s does not exist" % (base + ext)
        estimator.net.load_parameters(base + ".params", ctx=estimator.context)
        estimator.trainer.load_states(base + ".states")
        estimator.logger.warning(msg)

    @staticmethod
    def _find_max_iteration(folder, prefix, start, end, saved_checkpoints=None):
        """The largest number between ``start`` and ``end`` in the names of the
        ``prefix*.params`` files of ``folder`` (-1 if none)."""
        max_iter = -1
        for fname in os.listdir(folder):
            if not (fname.startswith(prefix) and fname.endswith(".params")):
                continue
            if saved_checkpoints is not None:
                saved_checkpoints.append(fname[:-len(".params")])
            try:
                max_iter = max(max_iter, int(fname[fname.find(start) + len(start):
                                                   fname.find(end)]))
            except ValueError:
                raise ValueError("Error parsing checkpoint file, please check your "
                                 "checkpoints have the format: "
                                 "{model_name}-epoch{epoch_number}batch{batch_number}"
                                 ".params, there should also be a .states file for each "
                                 ".params file ") from None
        return max_iter


class EarlyStoppingHandler(TrainBegin, EpochEnd, TrainEnd):
    """Stop when ``monitor`` (one of the estimator's metrics) has not improved by more
    than ``min_delta`` for ``patience`` epochs (``patience=0``: the first epoch without
    improvement stops).  ``baseline`` is the value to beat at the start."""

    def __init__(self, monitor, min_delta=0, patience=0, mode="auto", baseline=None):
        super().__init__()
        if not isinstance(monitor, EvalMetric):
            raise ValueError(
                "Please provide one of the metric objects from estimator.train_metrics and "
                "estimator.val_metrics as monitor.")
        if isinstance(monitor, CompositeEvalMetric):
            raise ValueError("CompositeEvalMetric is not supported for EarlyStoppingHandler, "
                             "please specify a simple metric instead.")
        self.monitor = monitor
        self.baseline = baseline
        self.patience = patience
        self.wait = 0
        self.stopped_epoch = 0
        self.current_epoch = 0
        self.stop_training = False
        self.monitor_op = _monitor_op("EarlyStopping", mode, monitor)
        self.min_delta = min_delta if self.monitor_op is np.greater else -min_delta

    def train_begin(self, estimator, *args, **kwargs):
        """Reset the counters and the best value."""
        self.wait = 0
        self.stopped_epoch = 0
        self.current_epoch = 0
        self.stop_training = False
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op is np.less else -np.inf

    def epoch_end(self, estimator, *args, **kwargs):
        """Compare the monitor with the best so far; True to stop."""
        monitor_name, monitor_value = self.monitor.get()
        if np.isnan(monitor_value):
            warnings.warn(RuntimeWarning(
                "%s is not updated, make sure you pass one of the metric objects from"
                "estimator.train_metrics and estimator.val_metrics as monitor." % monitor_name))
        elif self.monitor_op(monitor_value - self.min_delta, self.best):
            self.best = monitor_value
            self.wait = 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = self.current_epoch
                self.stop_training = True
        self.current_epoch += 1
        return self.stop_training

    def train_end(self, estimator, *args, **kwargs):
        """Log the epoch at which training stopped early."""
        if self.stopped_epoch > 0:
            estimator.logger.info("[Epoch %d] EarlyStoppingHanlder: "
                                  "early stopping due to %s not improving",
                                  self.stopped_epoch, self.monitor.get()[0])


class GradientUpdateHandler(BatchEnd):
    """``trainer.step(batch_size)`` after each batch, ``batch_size`` being the number
    of loss rows over every context.  Priority -2000: before the metrics."""

    def __init__(self, priority=-2000):
        self.priority = priority

    def batch_end(self, estimator, *args, **kwargs):
        """Apply the gradients."""
        loss = kwargs["loss"]
        losses = loss if isinstance(loss, list) else [loss]
        estimator.trainer.step(sum(l.shape[0] for l in losses))
