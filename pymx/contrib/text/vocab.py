"""``mx.contrib.text.vocab``: ``Vocabulary``, the token <-> index map of MXNet 1.x NLP code."""
import collections

from . import _constants as C

__all__ = ["Vocabulary"]


class Vocabulary:
    """Indices for text tokens: the unknown token, the reserved tokens, then the counted ones.

    The indices are assigned in this order:

    1. ``unknown_token`` gets index 0 (every token not in the vocabulary maps to 0);
    2. ``reserved_tokens`` (e.g. ``['<pad>', '<bos>', '<eos>']``) get 1, 2, ... in the
       order given;
    3. the keys of ``counter`` follow, most frequent first, ties broken by the tokens'
       natural order (ascending, so ``'a'`` before ``'b'``).  A key equal to the unknown
       or a reserved token is not indexed twice.  Counting stops at the first key whose
       frequency is below ``min_freq``, or when ``most_freq_count`` counted keys have
       been indexed (``None``: no limit).

    Bad arguments raise ``AssertionError`` as in MXNet: ``min_freq`` not positive,
    ``reserved_tokens`` containing ``unknown_token`` or a duplicate, ``counter`` not a
    ``collections.Counter``.

    Parameters
    ----------
    counter : collections.Counter or None
        Token frequencies, e.g. from ``text.utils.count_tokens_from_str``.
    most_freq_count : int or None
        At most this many counted tokens are indexed (reserved tokens not included).
    min_freq : int, default 1
        Counted tokens rarer than this are not indexed.
    unknown_token : hashable, default '<unk>'
        The token that stands for every unknown token.
    reserved_tokens : list or None
        Tokens always indexed, right after the unknown token.
    """

    def __init__(self, counter=None, most_freq_count=None, min_freq=1, unknown_token='<unk>',
                 reserved_tokens=None):
        if not min_freq > 0:
            raise AssertionError('`min_freq` must be set to a positive value.')
        if reserved_tokens is not None:
            distinct = set(reserved_tokens)
            if unknown_token in distinct:
                raise AssertionError('`reserved_token` cannot contain `unknown_token`.')
            if len(distinct) != len(reserved_tokens):
                raise AssertionError('`reserved_tokens` cannot contain duplicate reserved '
                                     'tokens.')

        # 1. and 2.: the unknown token (index C.UNKNOWN_IDX == 0), then the reserved ones.
        self._unknown_token = unknown_token
        self._reserved_tokens = None if reserved_tokens is None else reserved_tokens[:]
        self._idx_to_token = [unknown_token] + list(reserved_tokens or [])
        self._token_to_idx = {token: idx for idx, token in enumerate(self._idx_to_token)}

        # 3.: the counted tokens.
        if counter is not None:
            self._index_counter_keys(counter, most_freq_count, min_freq)

    def _index_counter_keys(self, counter, most_freq_count, min_freq):
        """Append the keys of ``counter``: by frequency descending, then by token ascending."""
        if not isinstance(counter, collections.Counter):
            raise AssertionError('`counter` must be an instance of collections.Counter.')
        special = set(self._idx_to_token)
        # Two stable sorts: by token, then by frequency (descending) keeping token order
        # among equal frequencies.
        token_freqs = sorted(counter.items(), key=lambda tf: tf[0])
        token_freqs.sort(key=lambda tf: tf[1], reverse=True)

        # The vocabulary may grow to this length (MXNet's ``token_cap``).
        cap = len(special) + (len(counter) if most_freq_count is None else most_freq_count)
        for token, freq in token_freqs:
            if freq < min_freq or len(self._idx_to_token) == cap:
                break
            if token not in special:
                self._idx_to_token.append(token)
                self._token_to_idx[token] = len(self._idx_to_token) - 1

    def __len__(self):
        """The number of indexed tokens, the unknown and reserved tokens included."""
        return len(self._idx_to_token)

    @property
    def token_to_idx(self):
        """dict: each indexed token -> its index."""
        return self._token_to_idx

    @property
    def idx_to_token(self):
        """list: the indexed tokens; ``idx_to_token[i]`` has index ``i``."""
        return self._idx_to_token

    @property
    def unknown_token(self):
        """The token standing for every unknown token (index 0)."""
        return self._unknown_token

    @property
    def reserved_tokens(self):
        """The reserved tokens (a copy of the list given), or ``None``."""
        return self._reserved_tokens

    def to_indices(self, tokens):
        """The index of a token, or the list of indices of a *list* of tokens.

        Unknown tokens map to 0.  Anything that is not a ``list`` (a tuple too) is looked
        up as one token."""
        if not isinstance(tokens, list):
            return self._token_to_idx.get(tokens, C.UNKNOWN_IDX)
        return [self._token_to_idx.get(token, C.UNKNOWN_IDX) for token in tokens]

    def to_tokens(self, indices):
        """The token of an index, or the list of tokens of a *list* of indices.

        An index must be a Python ``int`` no larger than ``len(self) - 1``, else
        ``ValueError``.  As in MXNet, only the upper bound is checked: a negative index
        counts from the end, like a Python list index."""
        single = not isinstance(indices, list)
        if single:
            indices = [indices]
        max_idx = len(self._idx_to_token) - 1
        tokens = []
        for idx in indices:
            if not isinstance(idx, int) or idx > max_idx:
                raise ValueError('Token index %d in the provided `indices` is invalid.' % idx)
            tokens.append(self._idx_to_token[idx])
        return tokens[0] if single else tokens
