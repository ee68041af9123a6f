"""``Embedding``: look rows of a weight matrix up by index, and its gradient
``_backward_Embedding`` (a scatter-add of the output gradient into the rows used)."""
import numpy as np

from ..base import MXNetError
from .registry import Param, register


def _indices(k, a, data):
    """MXNet's index rule: clip to ``[0, input_dim - 1]``, then truncate to an integer."""
    if np.issubdtype(np.dtype(data.dtype), np.floating):
        data = k.clip(data, 0.0, float(a.input_dim - 1))
    else:
        data = k.clip(data, 0, a.input_dim - 1)
    return k.astype(data, "int64")


def _embedding(k, a, data, weight):
    if tuple(weight.shape) != (a.input_dim, a.output_dim):
        raise MXNetError(f"Embedding: weight has shape {tuple(weight.shape)} but "
                         f"(input_dim, output_dim) = ({a.input_dim}, {a.output_dim})")
    return k.take(weight, _indices(k, a, data), 0)


def _embedding_shape(a, in_shapes):
    data, weight = in_shapes
    want = (a.input_dim, a.output_dim)
    if weight is not None and tuple(weight) != want:
        raise MXNetError(f"Embedding: weight has shape {tuple(weight)} but "
                         f"(input_dim, output_dim) = {want}")
    out = None if data is None else tuple(data) + (a.output_dim,)
    return [data, want], [out]


def _embedding_type(a, in_types):
    data, weight = in_types
    weight = weight if weight is not None else np.dtype(a.dtype)
    return [data if data is not None else np.dtype("float32"), weight], [weight]


def _embedding_gradient(F, a, xs, ys, dys):
    data, _ = xs
    kw = {"sparse_grad": True} if a.sparse_grad else {}
    return [None, F._backward_Embedding(dys[0], data, input_dim=a.input_dim,
                                        output_dim=a.output_dim, **kw)]


_PARAMS = {"input_dim": Param("int", doc="Vocabulary size of the input indices."),
           "output_dim": Param("int", doc="Dimension of the embedding vectors."),
           "dtype": Param("dtype", "float32", doc="Data type of weight."),
           "sparse_grad": Param("bool", False,
                                doc="make weight's gradient row_sparse (the rows used)")}

register("Embedding", _embedding, inputs=("data", "weight"), params=_PARAMS,
         infer_shape=_embedding_shape, infer_type=_embedding_type,
         gradient=_embedding_gradient, doc="""\
Map integer indices to dense vectors: ``out[i..., :] = weight[index(data[i...]), :]``.

Shapes: data (d1, ..., dk) of indices stored as floats (MXNet's convention), weight
(input_dim, output_dim); out (d1, ..., dk, output_dim) in weight's dtype.

MXNet quirks: an index is clipped to ``[0, input_dim - 1]`` and truncated toward zero
(``2.7 -> 2``, ``-1.5 -> 0``, ``input_dim + 5 -> input_dim - 1``); no error for
out-of-range indices.  The gradient of weight adds the output gradient of every
occurrence of a row into that row (``_backward_Embedding``); data gets no gradient.
``sparse_grad=True`` makes that gradient a RowSparseNDArray storing the rows of the
indices in ``data`` (sorted, each once), as MXNet's.""")


def _backward_embedding(k, a, dy, data):
    idx = _indices(k, a, data)
    return k.scatter_add((a.input_dim, a.output_dim), idx, dy, 0, dy.dtype)


register("_backward_Embedding", _backward_embedding, inputs=("ograd", "data"),
         params={k: _PARAMS[k] for k in ("input_dim", "output_dim", "sparse_grad")},
         infer_shape=lambda a, s: (s, [(a.input_dim, a.output_dim)]),
         gradient=lambda F, a, xs, ys, dys: [
             F.Embedding(xs[1], dys[0], input_dim=a.input_dim, output_dim=a.output_dim),
             None],
         doc="""\
The gradient of Embedding's weight: zeros (input_dim, output_dim), then
``dweight[index(data[i...]), :] += ograd[i..., :]`` (repeated indices add up).
With ``sparse_grad=True`` (imperative calls) the result is row_sparse, holding the rows
``unique(index(data))`` (``pymx/ndarray/sparse.py``).""")
