"""Freeze a seeded MXNet 1.9.1 training run: ``training_parity.json``.

Run with MXNet 1.9.1: ``python tests/data/mxnet/make_training_parity.py``.  ``run(mx)``
is one program for both libraries: seed, synthetic data drawn with ``mx.nd.random``,
a Gluon MLP with BatchNorm and Dropout (Xavier init), Adam, a shuffling DataLoader.
``tests/test_training_parity.py`` runs it with ``mx = pymx``: with MXNet's random
streams (``pymx/ops/mt19937.py``) the losses agree to float32 rounding.
"""
import json
import os


def run(mx, hybridize):
    """Per-epoch (mean loss, accuracy), then the first rows of the final outputs."""
    import numpy as np
    mx.random.seed(42)
    np.random.seed(42)                       # DataLoader's shuffle uses NumPy's RNG
    X = mx.nd.random.normal(shape=(256, 20))
    w = mx.nd.random.normal(shape=(20, 1))
    y = (mx.nd.dot(X, w) > 0).reshape((-1,))
    loader = mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(X, y), batch_size=32,
                                      shuffle=True)
    nn = mx.gluon.nn
    with mx.name.NameManager():
        net = nn.HybridSequential(prefix="parity_")
        with net.name_scope():
            net.add(nn.Dense(16, activation="relu"), nn.BatchNorm(), nn.Dropout(0.2),
                    nn.Dense(2))
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    loss_fn = mx.gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = mx.gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})
    history = []
    for _ in range(3):
        metric, total = mx.metric.Accuracy(), 0.0
        for data, label in loader:
            with mx.autograd.record():
                out = net(data)
                loss = loss_fn(out, label)
            loss.backward()
            trainer.step(data.shape[0])
            metric.update(label, out)
            total += float(loss.sum().asscalar())
        history.append([total / 256, metric.get()[1]])
    return {"history": history, "outputs": net(X[:4]).asnumpy().tolist()}


if __name__ == "__main__":
    import mxnet as mx
    result = {"mxnet": mx.__version__,
              "imperative": run(mx, False), "hybridized": run(mx, True)}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "training_parity.json"), "w") as f:
        json.dump(result, f, indent=1)
