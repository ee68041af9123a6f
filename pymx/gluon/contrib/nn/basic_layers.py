"""``gluon.contrib.nn``: layers MXNet 1.x keeps outside ``gluon.nn``.

* ``Concurrent`` / ``HybridConcurrent``: every child sees the same input; the outputs
  are concatenated on ``axis`` (Inception branches, DenseNet blocks);
* ``Identity``: returns its input (the shortcut branch of a residual block);
* ``SparseEmbedding``: ``Embedding`` that asks for a row_sparse weight and gradient;
* ``SyncBatchNorm``: batch normalization whose statistics span several devices
  (``_contrib_SyncBatchNorm``, pymx/ops/sync_batch_norm.py);
* ``PixelShuffle1D/2D/3D``: sub-pixel upsampling, written with reshape/transpose.

Parameter names, ``repr`` and the hybridized graphs are MXNet 1.9.1's (checked against
it in tests/gluon/test_contrib_nn.py).
"""
import warnings

from .... import context, nd
from ...block import Block, HybridBlock
from ...nn import BatchNorm, Embedding, HybridSequential, Sequential

__all__ = ["Concurrent", "HybridConcurrent", "Identity", "SparseEmbedding",
           "SyncBatchNorm", "PixelShuffle1D", "PixelShuffle2D", "PixelShuffle3D"]


class Concurrent(Sequential):
    """Feed the input to every child and concatenate their outputs on ``axis``
    (default -1)::

        net = Concurrent(axis=1)
        with net.name_scope():
            net.add(nn.Dense(10, activation='relu'), nn.Dense(20), Identity())
        net(x)          # (N, 10 + 20 + x.shape[1])

    The children may be any ``Block``; use ``HybridConcurrent`` to hybridize.
    """

    def __init__(self, axis=-1, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x):
        """``concat(child_1(x), child_2(x), ..., dim=axis)``."""
        return nd.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class HybridConcurrent(HybridSequential):
    """``Concurrent`` for ``HybridBlock`` children: the whole fan-out and the ``concat``
    become one graph under ``hybridize()``."""

    def __init__(self, axis=-1, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def hybrid_forward(self, F, x):
        """``F.concat(child_1(x), child_2(x), ..., dim=axis)``."""
        return F.concat(*[block(x) for block in self._children.values()], dim=self.axis)


class Identity(HybridBlock):
    """Return the input unchanged (no parameters, no operator in the graph)."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, x):
        """``x``."""
        return x


class SparseEmbedding(Block):
    """An embedding (index ``i`` -> row ``i`` of ``weight``, shape (input_dim,
    output_dim)) meant for huge vocabularies: in MXNet the weight and its gradient are
    ``row_sparse``, so a step touches only the rows a batch used, and ``forward``
    fetches just those rows (``Parameter.row_sparse_data``).

    Shapes: ``x`` (d1, ..., dk) of indices -> (d1, ..., dk, output_dim).  The parameter
    is ``<prefix>weight``; ``Embedding`` is called with ``sparse_grad=True``.

    As in MXNet the parameter has ``stype='row_sparse'`` (read it with
    ``row_sparse_data``; ``data()`` raises) and a ``row_sparse`` gradient.  pymx keeps
    the weight itself in dense storage, so ``row_sparse_data`` returns every row, and
    ``forward`` does not need a ``Trainer`` to exist.
    """

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None,
                 **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype,
                        "sparse_grad": True}
        self.weight = self.params.get("weight", shape=(input_dim, output_dim),
                                      init=weight_initializer, dtype=dtype,
                                      stype="row_sparse", grad_stype="row_sparse")

    def forward(self, x):
        """``Embedding(x, weight)`` with the rows ``x`` uses."""
        weight = self.weight.row_sparse_data(x)
        return nd.Embedding(x, weight, name="fwd", **self._kwargs)

    __repr__ = Embedding.__repr__          # "SparseEmbedding(10 -> 4, float32)"


class SyncBatchNorm(BatchNorm):
    """Cross-device synchronized batch normalization (Zhang et al., *Context Encoding
    for Semantic Segmentation*, CVPR 2018): with the batch split over ``num_devices``
    devices, the mean and variance are those of the **whole** batch, not of each
    device's part.  Math as ``nn.BatchNorm`` over axis 1 (the channel axis, fixed)::

        y = gamma * (x - mean) / sqrt(var + epsilon) + beta

    Parameters ``gamma``, ``beta``, ``running_mean``, ``running_var`` (C,), named as
    ``BatchNorm``'s (``syncbatchnorm0_gamma``...); the graph calls
    ``_contrib_SyncBatchNorm`` with ``ndev = num_devices`` and ``key = prefix``.
    ``num_devices=None`` warns (MXNet's "Caution using SyncBatchNorm" warning) and
    uses the number of GPUs, at least 1.

    pymx runs one device per process, so ``ndev`` devices are never waited for: on one
    device this is exactly ``BatchNorm(axis=1)`` (with MXNet's parameter names and
    graph).  As ``nn.BatchNorm`` (and MXNet), the running statistics move in the
    backward pass.
    """

    def __init__(self, in_channels=0, num_devices=None, momentum=0.9, epsilon=1e-5,
                 center=True, scale=True, use_global_stats=False, beta_initializer="zeros",
                 gamma_initializer="ones", running_mean_initializer="zeros",
                 running_variance_initializer="ones", **kwargs):
        super().__init__(axis=1, momentum=momentum, epsilon=epsilon, center=center,
                         scale=scale, use_global_stats=use_global_stats,
                         beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer,
                         running_mean_initializer=running_mean_initializer,
                         running_variance_initializer=running_variance_initializer,
                         in_channels=in_channels, **kwargs)
        num_devices = self._get_num_devices() if num_devices is None else num_devices
        self._kwargs = {"eps": epsilon, "momentum": momentum, "fix_gamma": not scale,
                        "use_global_stats": use_global_stats, "ndev": num_devices,
                        "key": self.prefix}

    def _get_num_devices(self):
        warnings.warn("Caution using SyncBatchNorm: "
                      "if not using all the GPUs, please mannually set num_devices",
                      UserWarning)
        return max(context.num_gpus(), 1)

    def infer_shape(self, x, *args):
        """The statistics have one entry per channel: ``x.shape[1]``."""
        for p in (self.gamma, self.beta, self.running_mean, self.running_var):
            p.shape = (x.shape[1],)

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        """``F.contrib.SyncBatchNorm(x, gamma, beta, running_mean, running_var)``."""
        return F.contrib.SyncBatchNorm(x, gamma, beta, running_mean, running_var,
                                       name="fwd", **self._kwargs)


def _factors(factor, n):
    """``factor`` as an n-tuple of ints (an int is repeated)."""
    try:
        return (int(factor),) * n
    except TypeError:
        factors = tuple(int(f) for f in factor)
        assert len(factors) == n, "wrong length {}".format(len(factors))
        return factors


class PixelShuffle1D(HybridBlock):
    """Sub-pixel upsampling along W: (N, f*C, W) -> (N, C, W*f).

    Output ``[n, c, w*f + i] = x[n, c*f + i, w]``: each group of ``f`` consecutive
    channels becomes ``f`` neighbouring pixels.  ``PixelShuffle1D(2)`` maps (1, 8, 3)
    to (1, 4, 6).
    """

    def __init__(self, factor):
        super().__init__()
        self._factor = int(factor)

    def hybrid_forward(self, F, x):
        """Reshape to (N, C, f, W), swap the last two axes, merge them."""
        f = self._factor
        x = F.reshape(x, (0, -4, -1, f, 0))            # (N, C, f, W)
        x = F.transpose(x, (0, 1, 3, 2))               # (N, C, W, f)
        return F.reshape(x, (0, 0, -3))                # (N, C, W*f)

    def __repr__(self):
        return "{}({})".format(self.__class__.__name__, self._factor)


class PixelShuffle2D(HybridBlock):
    """Sub-pixel upsampling (Shi et al. 2016, ESPCN): (N, f1*f2*C, H, W) ->
    (N, C, H*f1, W*f2), ``out[n, c, h*f1 + i, w*f2 + j] = x[n, (c*f1 + i)*f2 + j, h, w]``.

    A convolution producing ``f1*f2*C`` channels followed by this layer is a learnable
    upsampling without the checkerboard artefacts of transposed convolutions.
    ``factor`` is an int or an (f1, f2) pair: ``PixelShuffle2D((2, 3))`` maps
    (1, 12, 3, 5) to (1, 2, 6, 15).
    """

    def __init__(self, factor):
        super().__init__()
        self._factors = _factors(factor, 2)

    def hybrid_forward(self, F, x):
        """Split the channels into (C, f1, f2), interleave them with H and W."""
        f1, f2 = self._factors
        x = F.reshape(x, (0, -4, -1, f1 * f2, 0, 0))    # (N, C, f1*f2, H, W)
        x = F.reshape(x, (0, 0, -4, f1, f2, 0, 0))      # (N, C, f1, f2, H, W)
        x = F.transpose(x, (0, 1, 4, 2, 5, 3))          # (N, C, H, f1, W, f2)
        return F.reshape(x, (0, 0, -3, -3))             # (N, C, H*f1, W*f2)

    def __repr__(self):
        return "{}({})".format(self.__class__.__name__, self._factors)


class PixelShuffle3D(HybridBlock):
    """Sub-voxel upsampling: (N, f1*f2*f3*C, D, H, W) -> (N, C, D*f1, H*f2, W*f3).

    The 8-D transpose the 2-D recipe would need is more than MXNet's ``transpose``
    takes, so (as MXNet) the factors are moved next to their axes one at a time with
    ``swapaxes`` and merged with reshape code -3.  ``PixelShuffle3D((2, 3, 4))`` maps
    (1, 48, 3, 5, 7) to (1, 2, 6, 15, 28).
    """

    def __init__(self, factor):
        super().__init__()
        self._factors = _factors(factor, 3)

    def hybrid_forward(self, F, x):
        """Move f1 next to D, f2 next to H, f3 next to W, merging each pair."""
        f1, f2, f3 = self._factors
        x = F.reshape(x, (0, -4, -1, f1 * f2 * f3, 0, 0, 0))  # (N, C, f1*f2*f3, D, H, W)
        x = F.swapaxes(x, 2, 3)                               # (N, C, D, f1*f2*f3, H, W)
        x = F.reshape(x, (0, 0, 0, -4, f1, f2 * f3, 0, 0))    # (N, C, D, f1, f2*f3, H, W)
        x = F.reshape(x, (0, 0, -3, 0, 0, 0))                 # (N, C, D*f1, f2*f3, H, W)
        x = F.swapaxes(x, 3, 4)                               # (N, C, D*f1, H, f2*f3, W)
        x = F.reshape(x, (0, 0, 0, 0, -4, f2, f3, 0))         # (N, C, D*f1, H, f2, f3, W)
        x = F.reshape(x, (0, 0, 0, -3, 0, 0))                 # (N, C, D*f1, H*f2, f3, W)
        x = F.swapaxes(x, 4, 5)                               # (N, C, D*f1, H*f2, W, f3)
        return F.reshape(x, (0, 0, 0, 0, -3))                 # (N, C, D*f1, H*f2, W*f3)

    def __repr__(self):
        return "{}({})".format(self.__class__.__name__, self._factors)
