"""``mx.contrib.text``: MXNet 1.9.1's text utilities for NLP tutorials.

Three small modules, as in MXNet:

- ``pymx.contrib.text.utils``: ``count_tokens_from_str``, a token counter;
- ``pymx.contrib.text.vocab``: ``Vocabulary``, token <-> index, most frequent first;
- ``pymx.contrib.text.embedding``: pre-trained token embeddings (``GloVe``,
  ``FastText``, ``CustomEmbedding``, ``CompositeEmbedding``) read from text files.

pymx never downloads: ``GloVe`` and ``FastText`` load the file from
``~/.mxnet/embeddings/<glove|fasttext>/`` and raise an error saying where to put it
when it is missing.
"""
from . import utils
from . import vocab
from . import embedding

__all__ = ["utils", "vocab", "embedding"]
