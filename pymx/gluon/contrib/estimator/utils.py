"""Argument checks shared by the Estimator and its handlers (MXNet's messages)."""
from ....metric import Accuracy, CompositeEvalMetric, EvalMetric
from ...loss import SoftmaxCrossEntropyLoss


def _check_metrics(metrics):
    """``metrics`` as a flat list of EvalMetric (a CompositeEvalMetric is unpacked)."""
    if isinstance(metrics, CompositeEvalMetric):
        return [m for metric in metrics.metrics for m in _check_metrics(metric)]
    if isinstance(metrics, EvalMetric):
        return [metrics]
    metrics = metrics or []
    if not all(isinstance(metric, EvalMetric) for metric in metrics):
        raise ValueError("metrics must be a Metric or a list of Metric, "
                         "refer to mxnet.metric.EvalMetric: {}".format(metrics))
    return metrics


def _check_handler_metric_ref(handler, known_metrics):
    """Every metric a handler refers to (attributes whose name contains 'metric': a
    quirk of MXNet's ``['metric' or 'monitor']``, which is ``['metric']``) must be one
    of ``known_metrics``: the estimator's own objects, not copies."""
    for attribute in dir(handler):
        if "metric" not in attribute:
            continue
        reference = getattr(handler, attribute)
        if not reference:
            continue
        for metric in reference if isinstance(reference, list) else [reference]:
            if metric not in known_metrics:
                raise ValueError(
                    "Event handler {} refers to a metric instance {} outside of "
                    "the known training and validation metrics. Please use the metrics "
                    "from estimator.train_metrics and estimator.val_metrics "
                    "instead.".format(type(handler).__name__, metric))


def _suggest_metric_for_loss(loss):
    """Accuracy for a softmax cross-entropy loss, else None."""
    return Accuracy() if isinstance(loss, SoftmaxCrossEntropyLoss) else None
