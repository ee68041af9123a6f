"""MXNet 1.9.1's CPU random number generators, reproduced bit for bit.

MXNet draws its CPU random numbers from Mersenne Twisters (C++'s ``std::mt19937``) and
turns the 32-bit words into floats the way libstdc++ does.  ``mx.random.seed(s)`` seeds
two generators of ``cpu(0)`` (MXNet's *resources*), both from ``s * 127`` (its
``kRandMagic``; before any seed, ``s`` is 0):

* the **parallel** generator (``kParallelRandom``): 1024 twisters, twister ``i``
  seeded with ``s * 127 + i``.  ``nd.random.uniform``/``normal``, the matching
  ``_sample_*`` operators, ``Dropout`` (and so the initializers) and ``randint``
  draw from it.  A draw
  of ``N`` numbers is cut into ``T = min(ceil(N / 64), 1024)`` runs of
  ``ceil(N / T)`` consecutive elements, run ``t`` drawn from twister ``t`` (MXNet's
  ``LaunchRNG``, one run per OpenMP task).  So a small draw only moves twister 0, and
  the numbers do not depend on the thread count.
* the **serial** generator (``kRandom``, mshadow's ``Random<cpu>``): one twister seeded
  with ``s * 127``.  ``mx.np.random.uniform``/``normal``/``choice`` and ``shuffle``
  draw from it.

From words to numbers (``U`` is a uniform number in ``[0, 1)``):

* float32: ``U = float32(w) / 2**32`` (``generate_canonical<float, 24>``: one word;
  a result that rounds up to 1 becomes the largest float32 below 1);
* float64, and float16 (whose MXNet kernels compute in double): two words,
  ``U = (w0 + w1 * 2**32) / 2**64``;
* normal: Marsaglia's polar method, as libstdc++'s ``normal_distribution``: draw
  ``x = 2U - 1``, ``y = 2U - 1`` until ``0 < r2 = x*x + y*y <= 1``, then
  ``y * sqrt(-2 log(r2) / r2)`` is a standard normal number and so is ``x * ...``.
  MXNet's parallel kernels make a new distribution object per element, so each number
  costs one accepted pair and the ``x`` half is dropped; the serial generator keeps it
  for the next number of the same call.  Everything is computed in the compute type
  (float32 or float64), as the C++ code does.

NumPy's ``MT19937`` bit generator runs the same twister; we set its state from
``init_genrand`` (the seeding that ``std::mt19937(seed)`` performs) written out below.
"""
import numpy as np

__all__ = ["ParallelRandom", "SerialRandom", "init_genrand", "twister", "RAND_MAGIC",
           "NUM_STATES"]

RAND_MAGIC = 127          # MXNet's kRandMagic: device seed = dev_id + seed * 127
NUM_STATES = 1024         # RandGenerator<cpu>::kNumRandomStates
MIN_PER_THREAD = 64       # RandGenerator<cpu>::kMinNumRandomPerThread
_N = 624                  # words of a twister's state


def init_genrand(seeds):
    """The state words of ``std::mt19937(seed)`` for each 32-bit seed in ``seeds``:
    ``mt[0] = seed``, ``mt[i] = 1812433253 * (mt[i-1] ^ (mt[i-1] >> 30)) + i``
    (mod 2**32).  Returns an array (len(seeds), 624) of uint32."""
    mt = np.empty((len(seeds), _N), np.uint64)
    mt[:, 0] = np.asarray(seeds, np.uint64) & 0xFFFFFFFF
    for i in range(1, _N):
        prev = mt[:, i - 1]
        mt[:, i] = (np.uint64(1812433253) * (prev ^ (prev >> np.uint64(30))) + np.uint64(i)) \
            & np.uint64(0xFFFFFFFF)
    return mt.astype(np.uint32)


def twister(key):
    """A NumPy ``MT19937`` bit generator in the state ``key`` (624 words, fresh): its
    ``random_raw`` words are those of a ``std::mt19937`` in that state."""
    bits = np.random.MT19937(0)
    bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N}}
    return bits


def _compute_type(dtype):
    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def _canonical(bits, n, ct):
    """``n`` uniform numbers in [0, 1) of compute type ``ct`` (see the module doc)."""
    if ct == np.float32:
        u = (bits.random_raw(n) / 2.0 ** 32).astype(np.float32)
    else:
        w = bits.random_raw(2 * n).astype(np.float64).reshape(n, 2)
        u = (w[:, 0] + w[:, 1] * 2.0 ** 32) / 2.0 ** 64
    one = ct.type(1)
    return np.where(u >= one, np.nextafter(one, ct.type(0)), u)


def _polar(bits, n, ct, keep_second):
    """``n`` standard normal numbers by the polar method, leaving ``bits`` exactly where
    the C++ loop would.  With ``keep_second`` each accepted pair gives two numbers.

    Vectorised without over-drawing: while ``need`` pairs are still missing, draw
    exactly ``need`` candidate pairs (the C++ loop draws at least that many more), keep
    the accepted ones, and repeat for the rejected remainder."""
    need = (n + 1) // 2 if keep_second else n
    xs, ys = [], []
    while need:
        u = _canonical(bits, 2 * need, ct).reshape(need, 2)
        x, y = ct.type(2) * u[:, 0] - ct.type(1), ct.type(2) * u[:, 1] - ct.type(1)
        r2 = x * x + y * y
        ok = (r2 <= 1) & (r2 != 0)
        xs.append(x[ok])
        ys.append(y[ok])
        need -= int(ok.sum())
    x, y = np.concatenate(xs), np.concatenate(ys)
    r2 = x * x + y * y
    if ct == np.float32:                           # logf ~ log in double, rounded
        log_r2 = np.log(r2.astype(np.float64)).astype(np.float32)
    else:
        log_r2 = np.log(r2)
    mult = np.sqrt(ct.type(-2) * log_r2 / r2)
    if not keep_second:
        return y * mult
    out = np.empty(2 * len(x), ct)
    out[0::2], out[1::2] = y * mult, x * mult
    return out[:n]


class ParallelRandom:
    """MXNet's parallel CPU generator: 1024 twisters, run ``t`` of a draw from twister
    ``t``.  ``uniform(n, dtype)`` / ``normal(n, dtype)`` return ``n`` numbers in the
    compute type of ``dtype`` (float32 for float32, float64 otherwise)."""

    def __init__(self, seed):
        self.seed = int(seed) & 0xFFFFFFFF
        base = (self.seed * RAND_MAGIC) & 0xFFFFFFFF
        self._keys = init_genrand([(base + i) & 0xFFFFFFFF for i in range(NUM_STATES)])
        self._bits = {}

    def _state(self, t):
        bits = self._bits.get(t)
        if bits is None:
            bits = self._bits[t] = twister(self._keys[t])
        return bits

    @staticmethod
    def runs(n):
        """``(t, start, stop)`` for each run of a draw of ``n`` numbers."""
        if n <= 0:
            return []
        threads = min((n + MIN_PER_THREAD - 1) // MIN_PER_THREAD, NUM_STATES)
        step = (n + threads - 1) // threads
        return [(t, t * step, min(n, (t + 1) * step)) for t in range(threads)
                if t * step < n]

    def _draw(self, n, dtype, one_run):
        ct = _compute_type(dtype)
        out = np.empty(n, ct)
        for t, lo, hi in self.runs(n):
            out[lo:hi] = one_run(self._state(t), hi - lo, ct)
        return out

    def uniform(self, n, dtype="float32"):
        """``n`` uniform numbers in [0, 1), as MXNet's ``_random_uniform`` draws them."""
        return self._draw(n, dtype, _canonical)

    def normal(self, n, dtype="float32"):
        """``n`` standard normal numbers, one accepted polar pair each."""
        return self._draw(n, dtype, lambda bits, m, ct: _polar(bits, m, ct, False))

    def int64(self, n):
        """``n`` random int64 numbers as MXNet's ``rand_int64()`` makes them (``randint``
        draws these): two words each, ``(w0 << 31) + w1`` (so about 63 random bits;
        the sum wraps into int64 as the C++ code does)."""
        out = np.empty(n, np.int64)
        for t, lo, hi in self.runs(n):
            w = self._state(t).random_raw(2 * (hi - lo)).astype(np.uint64).reshape(-1, 2)
            out[lo:hi] = ((w[:, 0] << np.uint64(31)) + w[:, 1]).view(np.int64)
        return out


class SerialRandom:
    """MXNet's serial CPU generator (mshadow ``Random<cpu>``): one twister."""

    def __init__(self, seed):
        self.seed = int(seed) & 0xFFFFFFFF
        self._bits = twister(init_genrand([(self.seed * RAND_MAGIC) & 0xFFFFFFFF])[0])

    def uniform(self, n, dtype="float32"):
        """``n`` uniform numbers in [0, 1) from the one twister."""
        return _canonical(self._bits, n, _compute_type(dtype))

    def normal(self, n, dtype="float32"):
        """``n`` standard normal numbers, both halves of each polar pair used."""
        return _polar(self._bits, n, _compute_type(dtype), True)

    def words(self, n):
        """``n`` raw 32-bit words (mshadow's ``GetRandInt``), as uint32."""
        return self._bits.random_raw(n).astype(np.uint32)

    def below(self, bounds):
        """One integer uniform on ``[0, m)`` for each ``m`` in ``bounds`` (< 2**32), as
        libstdc++'s ``uniform_int_distribution`` draws it from 32-bit words: with
        ``scaling = (2**32 - 1) // m``, draw a word ``w`` until ``w < m * scaling``,
        then return ``w // scaling``.  Rejections are rare: words are drawn in bulk and
        the generator is rewound to just after a rejected word to redraw it."""
        bounds = np.asarray(bounds, np.int64)
        scaling = (2 ** 32 - 1) // bounds
        out = np.empty(len(bounds), np.int64)
        pos = 0
        while pos < len(bounds):
            state = self._bits.state
            w = self._bits.random_raw(len(bounds) - pos).astype(np.int64)
            bad = np.nonzero(w >= bounds[pos:] * scaling[pos:])[0]
            stop = bad[0] if len(bad) else len(w)
            out[pos:pos + stop] = w[:stop] // scaling[pos:pos + stop]
            if len(bad):                       # rewind: keep the words up to the reject
                self._bits.state = state
                self._bits.random_raw(stop + 1)
            pos += stop
        return out

    def permutation(self, n, backwards=False):
        """MXNet's CPU ``shuffle`` order, driven by this generator: for a 1-D array
        libstdc++'s ``random_shuffle``, for ``i = 1 .. n-1`` swap items ``i`` and ``j``
        with ``j`` uniform on ``[0, i]``; with ``backwards`` (MXNet's ``ShuffleND``, for
        the rows of an N-d array) the same swaps for ``i = n-1 .. 1``."""
        order = np.arange(n - 1, 0, -1) if backwards else np.arange(1, n)
        js = self.below(order + 1)
        perm = np.arange(n)
        for i, j in zip(order.tolist(), js.tolist()):
            perm[i], perm[j] = perm[j], perm[i]
        return perm
