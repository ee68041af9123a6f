"""``mx.profiler``: where does the time go?  Time every operator call.

The MXNet 1.x workflow::

    mx.profiler.set_config(profile_all=True, aggregate_stats=True,
                           filename="profile.json")
    mx.profiler.set_state("run")
    ...                                  # the code to measure
    mx.profiler.set_state("stop")
    print(mx.profiler.dumps())           # a table per category: count, total, min, max, avg
    mx.profiler.dump()                   # the trace, for chrome://tracing or Perfetto

While the state is ``"run"`` every operator's ``forward`` is wrapped by a timer
(``_timed``), so imperative calls, hybridized blocks and executors, forward and
backward ops alike, are all measured; ``"stop"`` restores the plain functions, so an
idle profiler costs nothing.  pymx runs operators synchronously, so an operator's time
is its kernel's time plus its Python code (MXNet's asynchronous engine shows kernel
time only).  Your own code can be timed as ``Task``/``Frame``/``Event`` ranges of a
``Domain``, ``Counter`` values and ``Marker`` instants; they appear in the trace and,
except counters and markers, in the table.

The trace is the Chrome trace-event JSON MXNet writes (``{"traceEvents": [...]}``,
begin/end pairs ``"ph": "B"``/``"E"`` with microsecond timestamps).  Not recorded:
memory (``profile_memory``), MXNet's C-API calls (``profile_api``) and kvstore servers.
"""
import json
import os
import tempfile
import threading
import time

from .base import MXNetError

__all__ = ["set_config", "set_state", "pause", "resume", "dump", "dumps", "Domain",
           "Task", "Frame", "Event", "Counter", "Marker", "profiler_set_config",
           "profiler_set_state", "dump_profile"]

_DEFAULTS = {"profile_all": False, "profile_symbolic": True, "profile_imperative": True,
             "profile_memory": True, "profile_api": True, "filename": "profile.json",
             "continuous_dump": False, "dump_period": 1.0, "aggregate_stats": False,
             "profile_process": "worker"}
_config = dict(_DEFAULTS)
_state = {"running": False, "paused": False}
_events = []            # Chrome trace events (dicts)
_stats = {}             # category -> name -> [count, total, min, max] in microseconds
_plain = {}             # op -> its forward before set_state('run') wrapped it


def set_config(**kwargs):
    """Set profiler options (MXNet's names): ``profile_all``, ``profile_symbolic``,
    ``profile_imperative``, ``profile_memory``, ``profile_api``, ``filename``,
    ``continuous_dump``, ``dump_period``, ``aggregate_stats``, ``profile_process``."""
    for key in kwargs:
        if key not in _DEFAULTS:
            raise MXNetError(f"profiler.set_config: unknown option {key!r}; options are "
                             f"{sorted(_DEFAULTS)}")
    _config.update(kwargs)


def _now():
    return time.perf_counter_ns() / 1000.0          # microseconds


def _add(name, cat, ph, ts, **extra):
    if _state["running"] and not _state["paused"]:
        _events.append(dict(name=name, cat=cat, ph=ph, ts=ts, pid=0,
                            tid=threading.get_ident(), **extra))


def _count(cat, name, us):
    if _state["running"] and not _state["paused"] and _config["aggregate_stats"]:
        s = _stats.setdefault(cat, {}).setdefault(name, [0, 0.0, float("inf"), 0.0])
        s[0] += 1
        s[1] += us
        s[2] = min(s[2], us)
        s[3] = max(s[3], us)


def _timed(op, forward):
    """``forward`` with a begin and an end event around each call of ``op``."""
    def timed(*args, **kwargs):
        t0 = _now()
        try:
            return forward(*args, **kwargs)
        finally:
            t1 = _now()
            _add(op.name, "operator", "B", t0)
            _add(op.name, "operator", "E", t1)
            _count("operator", op.name, t1 - t0)
    timed.takes_out = getattr(forward, "takes_out", None)
    return timed


def set_state(state="stop", profile_process="worker"):
    """``"run"``: start recording (every operator gets timed); ``"stop"``: stop."""
    from .ops.registry import all_ops
    if state not in ("run", "stop"):
        raise ValueError(f"profiler.set_state: state must be 'run' or 'stop', got {state!r}")
    if state == "run" and not _state["running"]:
        if _config["profile_all"] or _config["profile_imperative"] or \
                _config["profile_symbolic"]:
            for op in all_ops():
                _plain[op] = op.forward
                op.forward = _timed(op, op.forward)
        _state.update(running=True, paused=False)
    elif state == "stop" and _state["running"]:
        for op, forward in _plain.items():
            op.forward = forward
        _plain.clear()
        _state["running"] = False


def pause(profile_process="worker"):
    """Stop recording for a while (``resume()`` continues)."""
    _state["paused"] = True


def resume(profile_process="worker"):
    """Continue recording after ``pause()``."""
    _state["paused"] = False


def dump(finished=True, profile_process="worker"):
    """Write the trace recorded so far to ``filename`` (atomically); ``finished``
    also forgets it, so that the next dump starts afresh."""
    trace = {"traceEvents": [{"ph": "M", "args": {"name": "cpu/0"}, "pid": 0,
                              "name": "process_name"}] + _events,
             "displayTimeUnit": "ms"}
    path = os.path.abspath(_config["filename"])
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(trace, f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    if finished:
        _events.clear()


_ORDER = {"total": 1, "min": 2, "max": 3, "count": 0}


def dumps(reset=False, format="table", sort_by="total", ascending=False):
    """The aggregate statistics (needs ``aggregate_stats=True``): per category and
    name, the count and the total, min, max and average time in ms, as MXNet's
    table (``format='table'``) or JSON (``format='json'``), sorted by ``sort_by``
    ('total', 'avg', 'min', 'max' or 'count')."""
    if format not in ("table", "json"):
        raise ValueError(f"profiler.dumps: format must be 'table' or 'json', got {format!r}")
    if sort_by not in ("total", "avg", "min", "max", "count"):
        raise ValueError(f"profiler.dumps: sort_by must be total, avg, min, max or count, "
                         f"got {sort_by!r}")

    def key(item):
        s = item[1]
        return s[1] / s[0] if sort_by == "avg" else s[_ORDER[sort_by]]
    rows = {cat: sorted(by_name.items(), key=key, reverse=not ascending)
            for cat, by_name in sorted(_stats.items())}
    if format == "json":
        text = json.dumps({"Time": {cat: {name: {
            "Count": s[0], "Total": round(s[1] / 1e3, 4), "Min": round(s[2] / 1e3, 4),
            "Max": round(s[3] / 1e3, 4), "Avg": round(s[1] / s[0] / 1e3, 4)}
            for name, s in items} for cat, items in rows.items()},
            "Unit": {"Time": "ms"}}, indent=4)
    else:
        lines = ["Profile Statistics:", "\tNote the difference in units for different "
                 "entries."]
        for cat, items in rows.items():
            lines += [cat, "=================",
                      f"{'Name':<30}{'Total Count':>11}{'Time (ms)':>17}"
                      f"{'Min Time (ms)':>17}{'Max Time (ms)':>17}{'Avg Time (ms)':>17}",
                      f"{'----':<30}{'-' * 11:>11}{'-' * 9:>17}{'-' * 13:>17}"
                      f"{'-' * 13:>17}{'-' * 13:>17}"]
            for name, (n, total, lo, hi) in items:
                lines.append(f"{name:<30}{n:>11}{total / 1e3:>17.4f}{lo / 1e3:>17.4f}"
                             f"{hi / 1e3:>17.4f}{total / n / 1e3:>17.4f}")
        text = "\n".join(lines) + "\n"
    if reset:
        _stats.clear()
    return text


# ---- your own ranges, counters and markers --------------------------------------------
class Domain:
    """A category for your own ``Task``/``Frame``/``Counter``/``Marker`` records."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    def new_task(self, name):
        """A ``Task`` of this domain."""
        return Task(self, name)

    def new_frame(self, name):
        """A ``Frame`` of this domain."""
        return Frame(self, name)

    def new_counter(self, name, value=None):
        """A ``Counter`` of this domain (starting at ``value`` if given)."""
        return Counter(self, name, value)

    def new_marker(self, name):
        """A ``Marker`` of this domain."""
        return Marker(self, name)


class _Range:
    """A named time range: ``start()`` ... ``stop()``."""

    def __init__(self, cat, name):
        self.cat, self.name, self._t0 = cat, name, None

    def start(self):
        self._t0 = _now()
        _add(self.name, self.cat, "B", self._t0)

    def stop(self):
        if self._t0 is None:
            raise MXNetError(f"profiler: {self.name!r} stopped before it started")
        t1 = _now()
        _add(self.name, self.cat, "E", t1)
        _count(self.cat, self.name, t1 - self._t0)
        self._t0 = None

    def __str__(self):
        return self.name


class Task(_Range):
    """A range of work in ``domain`` (``start()``/``stop()``)."""

    def __init__(self, domain, name):
        super().__init__(domain.name, name)


class Frame(_Range):
    """A range that repeats (one iteration of a loop) in ``domain``."""

    def __init__(self, domain, name):
        super().__init__(domain.name, name)


class Event(_Range):
    """A range of category ``event`` (no domain)."""

    def __init__(self, name):
        super().__init__("event", name)


class Counter:
    """A value over time in ``domain``: ``set_value``, ``increment``, ``decrement``,
    ``+=`` and ``-=`` each record the new value (a counter track in the trace)."""

    def __init__(self, domain, name, value=None):
        self.domain, self.name, self.value = domain, name, 0
        if value is not None:
            self.set_value(value)

    def set_value(self, value):
        """Set the counter to ``value`` (recorded in the trace)."""
        self.value = value
        _add(self.name, self.domain.name, "C", _now(), args={self.name: value})

    def increment(self, delta=1):
        """Add ``delta``."""
        self.set_value(self.value + delta)

    def decrement(self, delta=1):
        """Subtract ``delta``."""
        self.set_value(self.value - delta)

    def __iadd__(self, delta):
        self.increment(delta)
        return self

    def __isub__(self, delta):
        self.decrement(delta)
        return self

    def __str__(self):
        return self.name


class Marker:
    """An instant in ``domain``: ``mark(scope)`` with scope 'global', 'process',
    'thread', 'task' or 'marker'."""

    _SCOPES = {"global": "g", "process": "p", "thread": "t", "task": "t", "marker": "t"}

    def __init__(self, domain, name):
        self.domain, self.name = domain, name

    def mark(self, scope="process"):
        """Record the instant, visible in ``scope``."""
        if scope not in self._SCOPES:
            raise ValueError(f"Marker.mark: scope must be one of {sorted(self._SCOPES)}")
        _add(self.name, self.domain.name, "i", _now(), s=self._SCOPES[scope])


# ---- MXNet's deprecated names ---------------------------------------------------------------
def profiler_set_config(mode="symbolic", filename="profile.json"):
    """Deprecated: ``set_config(profile_<mode>=True, filename=filename)``."""
    import warnings
    warnings.warn("profiler.profiler_set_config() is deprecated. Please use "
                  "profiler.set_config() instead")
    set_config(**{f"profile_{mode}": True, "filename": filename})


def profiler_set_state(state="stop"):
    """Deprecated: ``set_state(state)``."""
    import warnings
    warnings.warn("profiler.profiler_set_state() is deprecated. Please use "
                  "profiler.set_state() instead")
    set_state(state)


def dump_profile():
    """Deprecated: ``dump(True)``."""
    import warnings
    warnings.warn("profiler.dump_profile() is deprecated. Please use profiler.dump() instead")
    dump(True)
