"""``BatchProcessor``: how the Estimator trains and evaluates one batch."""
from .... import autograd
from ...utils import split_and_load

__all__ = ["BatchProcessor"]


class BatchProcessor:
    """The per-batch step of ``Estimator.fit``/``evaluate``; subclass it and pass
    ``batch_processor=`` to change what a batch does (several inputs, a custom loss).

    A batch is ``(data, label)``; both are split along ``batch_axis`` over the
    estimator's contexts (``gluon.utils.split_and_load``).  Both methods return
    ``(data, label, pred, loss)``, each a list with one entry per context.
    ``fit_batch`` only computes gradients: the ``GradientUpdateHandler`` calls
    ``trainer.step`` afterwards.
    """

    def __init__(self):
        pass

    def _get_data_and_label(self, batch, ctx, batch_axis=0):
        data = split_and_load(batch[0], ctx_list=ctx, batch_axis=batch_axis)
        label = split_and_load(batch[1], ctx_list=ctx, batch_axis=batch_axis)
        return data, label

    def evaluate_batch(self, estimator, val_batch, batch_axis=0):
        """Predict with ``estimator.val_net`` and score with ``estimator.val_loss``
        (no autograd)."""
        data, label = self._get_data_and_label(val_batch, estimator.context, batch_axis)
        pred = [estimator.val_net(x) for x in data]
        loss = [estimator.val_loss(y_hat, y) for y_hat, y in zip(pred, label)]
        return data, label, pred, loss

    def fit_batch(self, estimator, train_batch, batch_axis=0):
        """Forward ``estimator.net`` and ``estimator.loss`` under ``autograd.record()``
        and backpropagate each context's loss."""
        data, label = self._get_data_and_label(train_batch, estimator.context, batch_axis)
        with autograd.record():
            pred = [estimator.net(x) for x in data]
            loss = [estimator.loss(y_hat, y) for y_hat, y in zip(pred, label)]
        for l in loss:
            l.backward()
        return data, label, pred, loss
