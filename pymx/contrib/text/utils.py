"""``mx.contrib.text.utils``: counting the tokens of a string."""
import collections
import re

__all__ = ["count_tokens_from_str"]


def count_tokens_from_str(source_str, token_delim=' ', seq_delim='\n',
                          to_lower=False, counter_to_update=None):
    """Count the tokens of ``source_str`` into a ``collections.Counter``.

    The string is split at every ``token_delim`` and every ``seq_delim``; both are
    *regular expressions* (escape special characters: ``token_delim='\\\\*'``), joined
    as ``token_delim|seq_delim``.  Empty pieces (from leading, trailing or repeated
    delimiters) are dropped.  With ``to_lower`` the tokens are lower-cased first.

    Returns a new ``Counter``, or, when ``counter_to_update`` is given, that counter
    updated in place (and returned).

    >>> count_tokens_from_str(' Life is great ! \\n life is good . \\n', to_lower=True)
    Counter({'life': 2, 'is': 2, 'great': 1, '!': 1, 'good': 1, '.': 1})
    """
    tokens = [t for t in re.split(token_delim + '|' + seq_delim, source_str) if t]
    if to_lower:
        tokens = [t.lower() for t in tokens]
    if counter_to_update is None:
        return collections.Counter(tokens)
    counter_to_update.update(tokens)
    return counter_to_update
