"""``_sparse_retain`` (``mx.nd.sparse.retain``): keep only the listed rows.

``out[i, ...] = data[i, ...]`` when ``i`` is in ``indices``, else 0.  MXNet defines it
for a row_sparse ``data`` and returns a row_sparse array that stores the rows of
``data`` it keeps (``pymx/ndarray/sparse.py`` runs that kernel); on a dense ``data`` the
same rule gives the dense result.  Gradient: ``d data = retain(d out, indices)``;
``indices`` gets none.
"""
from ..base import MXNetError
from .registry import register


def _row_mask(k, n, indices, dtype):
    """1 for the rows listed in ``indices`` (int64, in range), else 0: shape (n,)."""
    counts = k.scatter_add((n,), indices, k.full(tuple(indices.shape), 1, dtype), 0, dtype)
    return k.binary("minimum", counts, 1)


def _retain(k, a, data, indices):
    if len(data.shape) < 1 or len(indices.shape) != 1:
        raise MXNetError(f"_sparse_retain: data must have at least 1 axis and indices "
                         f"must be 1-D, got data {tuple(data.shape)} and indices "
                         f"{tuple(indices.shape)}")
    n = data.shape[0]
    idx = k.astype(indices, "int64")
    host = k.to_numpy(idx)
    if host.size and (host.min() < 0 or host.max() >= n):
        raise MXNetError(f"_sparse_retain: indices must lie in [0, {n}) for data of shape "
                         f"{tuple(data.shape)}")
    mask = _row_mask(k, n, idx, data.dtype)
    mask = k.broadcast_to(k.reshape(mask, (n,) + (1,) * (len(data.shape) - 1)), data.shape)
    return k.binary("multiply", data, mask)


register("_sparse_retain", _retain, inputs=("data", "indices"),
         infer_shape=lambda a, s: (s, [s[0]]),
         gradient=lambda F, a, xs, ys, dys: [F._sparse_retain(dys[0], xs[1]), None],
         doc="""Keep the rows of ``data`` listed in ``indices``, zero the others.

Shapes: data (n, ...), indices (k,) of row numbers in [0, n) (any dtype, truncated);
out like data.  For a row_sparse ``data`` the result is row_sparse and stores only the
kept rows that ``data`` stored (``mx.nd.sparse.retain``).""")
