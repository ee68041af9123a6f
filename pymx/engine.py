"""Floor 3: the dependency engine.  Every operator is *pushed* with what it reads and writes.

MXNet's engine (notes section 3) queues each push and runs it when the arrays it reads
are ready and nobody else is writing what it writes: reads run in parallel, writes are
serialised.  pymx starts with the synchronous ``NaiveEngine``, MXNet's debugging engine:
``push`` runs the function at once, so errors surface at the line that caused them and
``wait_to_read``/``waitall`` have nothing to wait for.  The engine type is chosen by
``PYMX_ENGINE_TYPE`` (``NaiveEngine`` is the only one so far).
"""
import os

__all__ = ["NaiveEngine", "get_engine", "set_engine", "bulk", "set_bulk_size"]


class NaiveEngine:
    """Runs every pushed function immediately, in the caller's thread."""

    def push(self, fn, reads=(), writes=()):
        """Run ``fn()``, which reads arrays ``reads`` and writes arrays ``writes``."""
        return fn()

    def wait_for_var(self, arr):
        """Block until every pushed write to ``arr`` is done (nothing is ever pending)."""

    def wait_for_all(self):
        """Block until all pushed work is done."""


_ENGINES = {"NaiveEngine": NaiveEngine}
_engine = None


def get_engine():
    """The process-wide engine, created from ``PYMX_ENGINE_TYPE`` on first use."""
    global _engine
    if _engine is None:
        kind = os.environ.get("PYMX_ENGINE_TYPE", "NaiveEngine")
        if kind not in _ENGINES:
            raise ValueError(f"PYMX_ENGINE_TYPE={kind!r}: known engines {sorted(_ENGINES)}")
        _engine = _ENGINES[kind]()
    return _engine


def set_engine(engine):
    """Replace the engine (returns the previous one)."""
    global _engine
    old, _engine = get_engine(), engine
    return old


_bulk_size = [0]


def set_bulk_size(size):
    """Set how many ops MXNet's threaded engine runs as one bulk (0: none); returns the
    previous size.  Recorded only: the NaiveEngine runs each op at once anyway."""
    old, _bulk_size[0] = _bulk_size[0], int(size)
    return old


class bulk:
    """``with mx.engine.bulk(n):`` sets the bulk size for the block (``set_bulk_size``)."""

    def __init__(self, size):
        self.size = size
        self._old = None

    def __enter__(self):
        self._old = set_bulk_size(self.size)
        return self

    def __exit__(self, *exc):
        set_bulk_size(self._old)
        return False
