"""d2l.ai (MXNet tab, v0.17) code under ``npx.set_np()``, end to end.

Each test is a chapter's code as d2l writes it, with data and initial weights drawn
from ``numpy.random.RandomState(0)`` so real MXNet 1.9.1 can run the very same
script: the expected numbers were printed by MXNet 1.9.1 (``OPENBLAS_CORETYPE=
SkylakeX``, pip wheel) and are compared with float32 tolerances.
"""
import numpy as onp
import pytest

from pymx import autograd, gluon, init, np, npx
from pymx.gluon import nn


@pytest.fixture(autouse=True)
def _np_mode():
    npx.set_np()
    yield
    npx.reset_np()


@pytest.fixture
def rs():
    return onp.random.RandomState(0)


def draw(rs, kind, *args):
    return np.array(getattr(rs, kind)(*args).astype("float32"))


def test_linear_regression_from_scratch(rs):
    """Section 3.2: synthetic data, linreg, squared_loss, minibatch sgd."""
    true_w, true_b = np.array([2, -3.4]), 4.2
    X = draw(rs, "normal", 0, 1, (100, 2))
    y = np.dot(X, true_w) + true_b
    y += draw(rs, "normal", 0, 0.01, y.shape)
    features, labels = X, y.reshape((-1, 1))
    w, b = draw(rs, "normal", 0, 0.01, (2, 1)), np.zeros(1)
    w.attach_grad()
    b.attach_grad()

    def linreg(X, w, b):
        return np.dot(X, w) + b

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params, lr, batch_size):
        for param in params:
            param[:] = param - lr * param.grad / batch_size

    losses = []
    for epoch in range(3):
        for i in range(0, 100, 10):
            idx = np.array(list(range(i, i + 10)))          # float32 indices, as d2l
            with autograd.record():
                l = squared_loss(linreg(features[idx], w, b), labels[idx])
            l.backward()
            sgd([w, b], 0.03, 10)
        losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    # MXNet 1.9.1: epoch losses 8.696811, 4.985672, 2.862577
    onp.testing.assert_allclose(losses, [8.696811, 4.985672, 2.862577], rtol=1e-5)
    onp.testing.assert_allclose(w.reshape(-1).tolist() + b.tolist(),
                                [1.2557722, -1.8869027, 2.3320472], rtol=1e-5)


def accuracy(y_hat, y):
    """d2l's accuracy: argmax, compare in y's dtype, count."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.astype(y.dtype) == y
    return float(cmp.astype(y.dtype).sum())


def cross_entropy(y_hat, y):
    return -np.log(y_hat[range(len(y_hat)), y])


def small_data(rs):
    X = draw(rs, "normal", 0, 1, (64, 1, 4, 4))
    y = np.array(rs.randint(0, 3, 64).astype("int32"), dtype="int32")
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), batch_size=16)
    return X, y, loader


def test_softmax_regression_and_mlp_hybridized(rs):
    """Sections 3.7 and 4.3: Dense nets, SoftmaxCrossEntropyLoss, Trainer, and the
    same MLP as a hybridized HybridSequential."""
    X, y, loader = small_data(rs)
    net = nn.Sequential()
    net.add(nn.Dense(3))
    net.initialize(init.Normal(0.01))
    net(X[:1])
    net[0].weight.set_data(draw(rs, "normal", 0, 0.1, (3, 16)))
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    history = []
    for epoch in range(2):
        total, correct, n = 0.0, 0.0, 0
        for Xb, yb in loader:
            assert type(Xb) is np.ndarray and yb.dtype == onp.int32
            with autograd.record():
                l = loss(net(Xb), yb)
            l.backward()
            trainer.step(Xb.shape[0])
            total += float(l.sum())
            correct += accuracy(net(Xb), yb)
            n += yb.size
        history.append((round(total / n, 5), correct / n))
    # MXNet 1.9.1: (1.16047, 0.46875), (1.06651, 0.578125)
    assert history == [(1.16047, 0.46875), (1.06651, 0.578125)]
    ce = cross_entropy(npx.softmax(net(X[:4])), y[:4])
    onp.testing.assert_allclose(ce.asnumpy(), [0.9699267, 1.1942065, 0.4339112, 0.9587666],
                                rtol=1e-5)

    mlp = nn.HybridSequential()
    mlp.add(nn.Dense(8, activation="relu"), nn.Dense(3))
    mlp.initialize()
    mlp(X[:1])
    for p in mlp.collect_params().values():
        p.set_data(draw(rs, "normal", 0, 0.1, p.shape))
    mlp.hybridize()
    trainer = gluon.Trainer(mlp.collect_params(), "sgd", {"learning_rate": 0.5})
    losses = []
    for epoch in range(3):
        for Xb, yb in loader:
            with autograd.record():
                l = loss(mlp(Xb), yb)
            l.backward()
            trainer.step(Xb.shape[0])
        assert type(l) is np.ndarray
        losses.append(float(loss(mlp(X), y).mean()))
    # MXNet 1.9.1
    onp.testing.assert_allclose(losses, [1.0798105, 1.0608101, 1.0326165], rtol=1e-5)


def test_lenet_forward_backward(rs):
    """Section 6.6: LeNet's layer shapes, then one recorded forward and backward."""
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    net = nn.Sequential()
    net.add(nn.Conv2D(channels=6, kernel_size=5, padding=2, activation="sigmoid"),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=16, kernel_size=5, activation="sigmoid"),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Dense(120, activation="sigmoid"), nn.Dense(84, activation="sigmoid"),
            nn.Dense(10))
    X = np.array(rs.uniform(size=(2, 1, 28, 28)).astype("float32"))
    net.initialize()
    net(X)
    for p in net.collect_params().values():
        p.set_data(draw(rs, "normal", 0, 0.1, p.shape))
    shapes = []
    for layer in net:
        X = layer(X)
        shapes.append(X.shape)
    assert shapes == [(2, 6, 28, 28), (2, 6, 14, 14), (2, 16, 10, 10), (2, 16, 5, 5),
                      (2, 120), (2, 84), (2, 10)]
    with autograd.record():
        out = net(np.array(rs.uniform(size=(2, 1, 28, 28)).astype("float32")))
        l = loss(out, np.array([1, 2]))
    l.backward()
    grad = net[0].weight.grad()
    assert type(grad) is np.ndarray and type(net[0].weight.data()) is np.ndarray
    # MXNet 1.9.1: -4.8684788, 0.13034552
    onp.testing.assert_allclose([out.sum().item(), float(np.abs(grad).sum())],
                                [-4.8684788, 0.13034552], rtol=1e-5)


def test_conv_from_scratch_and_custom_blocks():
    """Sections 6.2 and 5.4: corr2d with 0-d item assignment, learning a kernel with
    ``weight.data()[:] -= ...``, a custom Block written with np.dot and npx.relu."""
    def corr2d(X, K):
        h, w = K.shape
        Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
        return Y

    X = np.array([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = np.array([[0.0, 1.0], [2.0, 3.0]])
    onp.testing.assert_allclose(corr2d(X, K).asnumpy(), [[19, 25], [37, 43]])
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    Y = corr2d(X, np.array([[1.0, -1.0]]))
    conv2d = nn.Conv2D(1, kernel_size=(1, 2), use_bias=False)
    conv2d.initialize(init.Constant(0.5))
    X, Y = X.reshape(1, 1, 6, 8), Y.reshape(1, 1, 6, 7)
    for i in range(10):
        with autograd.record():
            l = (conv2d(X) - Y) ** 2
        l.backward()
        conv2d.weight.data()[:] -= 3e-2 * conv2d.weight.grad()
    # MXNet 1.9.1: loss 0.274 at step 10, kernel [[1.0421579, -0.9347837]]
    assert f"{float(l.sum()):.3f}" == "0.274"
    onp.testing.assert_allclose(conv2d.weight.data().reshape((1, 2)).asnumpy(),
                                [[1.0421579, -0.9347837]], rtol=1e-5)

    class MyDense(nn.Block):
        def __init__(self, units, in_units, **kwargs):
            super().__init__(**kwargs)
            self.weight = self.params.get("weight", shape=(in_units, units))
            self.bias = self.params.get("bias", shape=(units,))

        def forward(self, x):
            linear = np.dot(x, self.weight.data(ctx=x.ctx)) + self.bias.data(ctx=x.ctx)
            return npx.relu(linear)

    dense = MyDense(units=3, in_units=5)
    dense.initialize(init.Constant(0.1))
    out = dense(np.ones((2, 5)) * np.arange(5) - 0.2)
    onp.testing.assert_allclose(out.asnumpy(), onp.full((2, 3), 1.0), rtol=1e-6)


def test_vision_dataset_batches_are_np_arrays():
    """Section 3.5: MNIST-style data through ToTensor and a DataLoader."""
    trans = gluon.data.vision.transforms.ToTensor()
    data = gluon.data.vision.MNIST(train=False).transform_first(trans)
    X, y = next(iter(gluon.data.DataLoader(data, 8, shuffle=False)))
    assert type(X) is np.ndarray and X.shape == (8, 1, 28, 28) and X.dtype == onp.float32
    assert type(y) is np.ndarray and y.dtype == onp.int32
    assert 0 <= float(X.min()) and float(X.max()) <= 1


def test_hybridized_custom_block_broadcasts():
    """Section 5.4's CenteredLayer as a HybridBlock: under set_np the traced symbols
    broadcast (``X - X.mean()``), as MXNet 1.9.1's NumPy symbols do (MXNet 1.9.1
    prints zeros for this net)."""
    class CenteredLayer(nn.HybridBlock):
        def hybrid_forward(self, F, X):
            return X - X.mean()

    net = nn.HybridSequential()
    net.add(nn.Dense(4), CenteredLayer())
    net.initialize(init.Constant(0.1))
    net.hybridize()
    y = net(np.ones((3, 5)) * np.arange(5))
    assert type(y) is np.ndarray and y.shape == (3, 4)
    onp.testing.assert_allclose(y.asnumpy(), onp.zeros((3, 4)), atol=1e-6)


def test_hybrid_forward_with_F_npx():
    """d2l ch. 12.1 (hybridize): ``F.npx.relu`` in ``hybrid_forward``; F is ``mx.nd``
    before ``hybridize()`` and ``mx.sym`` after, and both give the same numbers."""
    seen = []

    class HybridNet(nn.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = nn.Dense(4)
            self.output = nn.Dense(2)

        def hybrid_forward(self, F, x):
            seen.append((F.__name__, type(x).__name__))
            return self.output(F.npx.relu(self.hidden(x)))

    net = HybridNet()
    net.initialize()
    x = np.random.normal(size=(1, 3))
    eager = net(x)
    net.hybridize()
    hybrid = net(x)
    assert seen == [("pymx.ndarray", "ndarray"), ("pymx.symbol", "Symbol")]
    assert isinstance(hybrid, np.ndarray)
    onp.testing.assert_allclose(hybrid.asnumpy(), eager.asnumpy(), rtol=1e-6)
