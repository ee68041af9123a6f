"""``mx.sym.sparse``: the operators of ``mx.nd.sparse`` on Symbols.

``mx.sym.sparse.dot(data, weight)``, ``retain``, ``elemwise_add``... build the same
graph nodes as ``mx.sym.dot`` etc.  Variables declare storage with
``mx.sym.Variable('data', stype='csr')`` (the ``__storage_type__`` attribute).  pymx's
executor runs every node densely: a sparse array bound to a Symbol is densified, and
the outputs are dense (MXNet infers sparse output storage there).
"""
_ALIASES = {"retain": "_sparse_retain"}


def __getattr__(name):
    """``mx.sym.sparse.<name>``: the Symbol operator ``name`` (``retain`` is
    ``_sparse_retain``)."""
    from . import op
    try:
        return getattr(op, _ALIASES.get(name, name))
    except AttributeError:
        raise AttributeError(f"module 'pymx.symbol.sparse' has no attribute "
                             f"{name!r}") from None
