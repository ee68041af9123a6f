"""``Estimator``: MXNet 1.x's ready-made Gluon training loop.

``fit`` is this loop, with every step other than the batch itself done by event
handlers (event_handler.py)::

    for handler in train_begin: handler.train_begin(est)
    while True:
        epoch_begin handlers
        for batch in train_data:
            batch_begin handlers
            data, label, pred, loss = batch_processor.fit_batch(est, batch, batch_axis)
            batch_end handlers (GradientUpdateHandler steps the trainer)  # any True: break
        epoch_end handlers                                                # any True: stop
    train_end handlers

Defaults (added unless the caller passed one of the same class):
``StoppingHandler`` (always), ``GradientUpdateHandler``, ``MetricHandler`` (the
training metrics), ``ValidationHandler`` (when ``val_data`` is given) and
``LoggingHandler``.  Training metrics default to ``Accuracy`` (for a softmax
cross-entropy loss) plus ``metric.Loss`` named after the loss; they are renamed
"training <name>" and copied into "validation <name>" metrics.
"""
import copy
import logging
import sys
import warnings

from ....context import Context, cpu, gpu, num_gpus
from ....metric import Loss as metric_loss
from ...data import DataLoader
from ...loss import Loss as gluon_loss
from ...trainer import Trainer
from .batch_processor import BatchProcessor
from .event_handler import (BatchBegin, BatchEnd, EpochBegin, EpochEnd, GradientUpdateHandler,
                            LoggingHandler, MetricHandler, StoppingHandler, TrainBegin,
                            TrainEnd, ValidationHandler, _check_event_handlers)
from .utils import _check_handler_metric_ref, _check_metrics, _suggest_metric_for_loss

__all__ = ["Estimator"]

_EVENTS = ((TrainBegin, "train_begin"), (EpochBegin, "epoch_begin"),
           (BatchBegin, "batch_begin"), (BatchEnd, "batch_end"),
           (EpochEnd, "epoch_end"), (TrainEnd, "train_end"))


class Estimator:
    """Train ``net`` on ``loss`` with ``fit`` and measure it with ``evaluate``.

    Parameters: ``net`` (a Block), ``loss`` (a ``gluon.loss.Loss``),
    ``train_metrics``/``val_metrics`` (EvalMetric or a list; see the module
    docstring for the defaults), ``initializer`` (used if the net is not fully
    initialized; a warning if it is), ``trainer`` (default: SGD with learning rate
    0.001, with a warning), ``context`` (a Context or list; default ``gpu(0)`` if a GPU
    exists, else ``cpu()``), ``val_net`` and ``val_loss`` (default: ``net`` and
    ``loss``), ``batch_processor`` (an object with ``fit_batch`` and
    ``evaluate_batch``; default ``BatchProcessor()``).

    ``estimator.logger`` is a ``logging.Logger`` writing INFO lines to stdout; add
    handlers to it to log elsewhere.
    """

    logger = None

    def __init__(self, net, loss, train_metrics=None, val_metrics=None, initializer=None,
                 trainer=None, context=None, val_net=None, val_loss=None,
                 batch_processor=None):
        self.net = net
        self.loss = self._check_loss(loss)
        self._train_metrics = _check_metrics(train_metrics)
        self._val_metrics = _check_metrics(val_metrics)
        self._add_default_training_metrics()
        self._add_validation_metrics()
        self.val_loss = self.loss if val_loss is None else self._check_loss(val_loss)
        self.val_net = self.net if val_net is None else val_net
        self.logger = logging.Logger(name="Estimator", level=logging.INFO)
        self.logger.addHandler(logging.StreamHandler(sys.stdout))
        self.context = self._check_context(context)
        self._initialize(initializer)
        self.trainer = self._check_trainer(trainer)
        self.batch_processor = self._check_batch_processor(batch_processor)

    # ---- argument checks ------------------------------------------------------------
    @staticmethod
    def _check_loss(loss):
        if not isinstance(loss, gluon_loss):
            raise ValueError("loss must be a Loss, refer to gluon.loss.Loss:{}".format(loss))
        return loss

    @staticmethod
    def _check_context(context):
        gpus = num_gpus()
        available_gpus = [gpu(i) for i in range(gpus)]
        if not context:
            if gpus > 1:
                warnings.warn("You have multiple GPUs, gpu(0) will be used by default."
                              "To utilize all your GPUs, specify context as a list of gpus, "
                              "e.g. context=[mx.gpu(0), mx.gpu(1)] ")
            return [gpu(0)] if gpus > 0 else [cpu()]
        if isinstance(context, Context):
            context = [context]
        elif not (isinstance(context, list) and all(isinstance(c, Context) for c in context)):
            raise ValueError("context must be a Context or a list of Context, "
                             "for example mx.cpu() or [mx.gpu(0), mx.gpu(1)], "
                             "refer to mxnet.Context:{}".format(context))
        for ctx in context:
            assert ctx in available_gpus or str(ctx).startswith("cpu"), \
                "%s is not available, please make sure your context is in one of: " \
                "mx.cpu(), %s" % (ctx, ", ".join(str(c) for c in available_gpus))
        return context

    @staticmethod
    def _check_batch_processor(batch_processor):
        if batch_processor is None:
            return BatchProcessor()
        if not (callable(getattr(batch_processor, "fit_batch", None))
                and callable(getattr(batch_processor, "evaluate_batch", None))):
            raise ValueError("Customized Batch Processor must contain fit_batch()"
                             " and evaluate_batch() methods")
        return batch_processor

    def _initialize(self, initializer):
        if not self._is_initialized():
            if initializer:
                self.net.initialize(init=initializer, ctx=self.context)
            else:
                self.net.initialize(ctx=self.context)
        elif initializer:
            warnings.warn("Network already fully initialized, skipping initialization. "
                          "You don't need to pass initializer if you already "
                          "initialized your net. "
                          "You can use net.initialize(init=your_initializer, "
                          "force_reinit=True)to force re-initialize.")

    def _check_trainer(self, trainer):
        if not trainer:
            warnings.warn("No trainer specified, default SGD optimizer "
                          "with learning rate 0.001 is used.")
            return Trainer(self.net.collect_params(), "sgd", {"learning_rate": 0.001})
        if not isinstance(trainer, Trainer):
            raise ValueError("Trainer must be a Gluon Trainer instance, refer to "
                             "gluon.Trainer:{}".format(trainer))
        return trainer

    def _is_initialized(self):
        params = self.net.collect_params()
        for name in params:
            try:
                params[name].list_ctx()
            except RuntimeError:
                return False
        return True

    # ---- metrics ----------------------------------------------------------------------
    def _add_default_training_metrics(self):
        if not self._train_metrics:
            suggested = _suggest_metric_for_loss(self.loss)
            if suggested:
                self._train_metrics = [suggested]
            self._train_metrics.append(metric_loss(self.loss.name.rstrip("1234567890")))
        for metric in self._train_metrics:
            metric.name = "training " + metric.name

    def _add_validation_metrics(self):
        if not self._val_metrics:
            self._val_metrics = [copy.deepcopy(metric) for metric in self._train_metrics]
        for metric in self._val_metrics:
            if "training" in metric.name:
                metric.name = metric.name.replace("training", "validation")
            else:
                metric.name = "validation " + metric.name

    @property
    def train_metrics(self):
        """The training metrics (names start with "training ")."""
        return self._train_metrics

    @property
    def val_metrics(self):
        """The validation metrics (names start with "validation ")."""
        return self._val_metrics

    # ---- loops ------------------------------------------------------------------------
    def evaluate(self, val_data, batch_axis=0, event_handlers=None):
        """Run ``val_net`` over ``val_data`` (a DataLoader) and update the validation
        metrics.  A ``MetricHandler`` and a ``LoggingHandler`` on the validation metrics
        are added unless ``event_handlers`` has handlers of those classes."""
        if not isinstance(val_data, DataLoader):
            raise ValueError("Estimator only support input as Gluon DataLoader. "
                             "Alternatively, you can transform your DataIter or any NDArray "
                             "into Gluon DataLoader. Refer to gluon.data.DataLoader")
        for metric in self.val_metrics:
            metric.reset()
        handlers = self._prepare_default_validation_handlers(event_handlers)
        _, epoch_begin, batch_begin, batch_end, epoch_end, _ = \
            self._categorize_handlers(handlers)
        for handler in epoch_begin:
            handler.epoch_begin(self)
        for batch in val_data:
            for handler in batch_begin:
                handler.batch_begin(self, batch=batch)
            _, label, pred, loss = self.batch_processor.evaluate_batch(self, batch,
                                                                       batch_axis)
            for handler in batch_end:
                handler.batch_end(self, batch=batch, pred=pred, label=label, loss=loss)
        for handler in epoch_end:
            handler.epoch_end(self)

    def fit(self, train_data, val_data=None, epochs=None, event_handlers=None, batches=None,
            batch_axis=0):
        """Train for ``epochs`` epochs or ``batches`` batches (exactly one of them) over
        ``train_data`` (a DataLoader), validating on ``val_data`` after each epoch if
        given.  ``event_handlers`` are added to the defaults (module docstring);
        ``batch_axis`` is the axis the batches are split along over the contexts."""
        if not isinstance(train_data, DataLoader):
            raise ValueError("Estimator only support input as Gluon DataLoader. "
                             "Alternatively, you can transform your DataIter or any NDArray "
                             "into Gluon DataLoader. Refer to gluon.data.dataloader")
        if (not epochs) == (not batches):
            raise ValueError("Fit only support exactly one type of iteration, "
                             "train by number of epochs or number of batches."
                             "Please specify one and only one of: epochs or batches.")
        self.max_epoch = epochs
        self.max_batch = batches
        self.batch_axis = batch_axis
        handlers = self._prepare_default_handlers(val_data, event_handlers)
        train_begin, epoch_begin, batch_begin, batch_end, epoch_end, train_end = \
            self._categorize_handlers(handlers)
        for handler in train_begin:
            handler.train_begin(self)
        while True:
            for handler in epoch_begin:
                handler.epoch_begin(self)
            for batch in train_data:
                for handler in batch_begin:
                    handler.batch_begin(self, batch=batch)
                _, label, pred, loss = self.batch_processor.fit_batch(self, batch,
                                                                      batch_axis)
                # every handler runs, then any True stops
                stop = [handler.batch_end(self, batch=batch, pred=pred, label=label,
                                          loss=loss) for handler in batch_end]
                if any(stop):
                    break
            if any([handler.epoch_end(self) for handler in epoch_end]):
                break
        for handler in train_end:
            handler.train_end(self)

    # ---- handlers ---------------------------------------------------------------------
    def _prepare_default_handlers(self, val_data, event_handlers):
        handlers = _check_event_handlers(event_handlers)
        given = lambda cls: any(isinstance(h, cls) for h in handlers)  # noqa: E731
        added = [StoppingHandler(self.max_epoch, self.max_batch)]
        if not given(GradientUpdateHandler):
            added.append(GradientUpdateHandler())
        if not given(MetricHandler):
            added.append(MetricHandler(metrics=self.train_metrics))
        if not given(ValidationHandler) and val_data:
            added.append(ValidationHandler(val_data=val_data, eval_fn=self.evaluate))
        if not given(LoggingHandler):
            added.append(LoggingHandler(metrics=self.train_metrics))
        return self._merge_handlers(handlers, added, self.train_metrics + self.val_metrics)

    def _prepare_default_validation_handlers(self, event_handlers):
        handlers = _check_event_handlers(event_handlers)
        added = []
        if not any(isinstance(h, MetricHandler) for h in handlers):
            added.append(MetricHandler(metrics=self.val_metrics))
        if not any(isinstance(h, LoggingHandler) for h in handlers):
            added.append(LoggingHandler(metrics=self.val_metrics))
        return self._merge_handlers(handlers, added, self.val_metrics)

    @staticmethod
    def _merge_handlers(handlers, added, known_metrics):
        """User handlers + defaults, sorted by priority.  When both kinds are present,
        every metric the handlers use must be one of ``known_metrics``."""
        mixing = handlers and added
        handlers = handlers + added
        if mixing:
            for handler in handlers:
                _check_handler_metric_ref(handler, set(known_metrics))
        handlers.sort(key=lambda handler: getattr(handler, "priority", 0))
        return handlers

    @staticmethod
    def _categorize_handlers(event_handlers):
        """Six lists (train_begin ... train_end): the handlers having each event."""
        return tuple([h for h in event_handlers if isinstance(h, cls)] for cls, _ in _EVENTS)
