"""``mx.contrib.text.embedding``: pre-trained token embeddings, read from text files.

A token embedding is a ``pymx.contrib.text.vocab.Vocabulary`` with a matrix
``idx_to_vec`` of shape ``(len(self), vec_len)``: row ``i`` is the vector of the token
with index ``i``, row 0 that of the unknown token.

The file format (GloVe's and fastText's ``.vec``) is one token a line, followed by its
vector's elements, all separated by ``elem_delim``::

    the 0.418 0.24968 -0.41242
    , 0.013441 0.23682 -0.16899

Loading rules (MXNet 1.9.1's):

- the tokens are indexed in file order after the unknown and reserved tokens;
- a line for the unknown token (e.g. ``<unk> 0.1 0.2 0.3``) gives row 0; otherwise row 0
  is ``init_unknown_vec(shape=vec_len)`` (``nd.zeros`` by default);
- a token seen again is skipped with a warning (the first vector wins); a line with a
  single number after the token (fastText's header ``"2519370 300"``) is skipped too;
- every vector must have the length of the first one (``AssertionError`` otherwise), and a
  line with no element after the token is an ``AssertionError``.

With ``vocabulary=`` the embedding is then re-indexed to that vocabulary: its tokens
and indices become the vocabulary's, and row ``i`` holds the loaded vector of token ``i``
(the unknown token's vector for tokens the file does not have).

pymx never downloads: ``GloVe`` and ``FastText`` read their file from
``embedding_root/<glove|fasttext>/<pretrained_file_name>`` and raise
``pymx.gluon.model_zoo.model_store.ConnectionError`` (an ``OSError``, what MXNet
raises offline) naming the file and the folder to put it in when it is missing.  MXNet
also checks a present file's SHA-1 and downloads it again on a mismatch; pymx loads the
file it finds.
"""
import json
import logging
import os
import warnings

import numpy as np

from ... import ndarray as nd
from ...base import MXNetError
from ...util import is_np_array
from ...gluon.model_zoo.model_store import ConnectionError  # noqa: A004 (MXNet's error)
from . import _constants as C
from . import vocab

__all__ = ["register", "create", "get_pretrained_file_names", "GloVe", "FastText",
           "CustomEmbedding", "CompositeEmbedding"]

#: Registered embedding classes by lower-cased class name (``'glove'``, ``'fasttext'``),
#: in registration order.
_REGISTRY = {}


def register(embedding_cls):
    """Class decorator: make ``embedding_cls`` creatable by ``create(<lower-cased name>)``.

    ``embedding_cls`` must subclass ``_TokenEmbedding`` (``AssertionError`` otherwise); a
    name registered twice warns and the newer class wins."""
    if not issubclass(embedding_cls, _TokenEmbedding):
        raise AssertionError('Can only register subclass of _TokenEmbedding')
    name = embedding_cls.__name__.lower()
    if name in _REGISTRY:
        old = _REGISTRY[name]
        warnings.warn(f'New token embedding {embedding_cls.__module__}.{embedding_cls.__name__}'
                      f' registered with name {name} is overriding existing token embedding '
                      f'{old.__module__}.{old.__name__}', UserWarning, stacklevel=2)
    _REGISTRY[name] = embedding_cls
    return embedding_cls


def create(embedding_name, **kwargs):
    """An instance of the registered embedding ``embedding_name`` (case-insensitive).

    ``create('glove', pretrained_file_name='glove.6B.50d.txt')`` is
    ``GloVe(pretrained_file_name='glove.6B.50d.txt')``.  As MXNet's registry does, an
    embedding instance is returned as is and a JSON string ``'["glove", {...}]'`` is
    decoded first.  An unknown name is an ``AssertionError``."""
    if isinstance(embedding_name, _TokenEmbedding):
        if kwargs:
            raise AssertionError('token embedding is already an instance. Additional '
                                 'arguments are invalid')
        return embedding_name
    if isinstance(embedding_name, dict) or \
            (isinstance(embedding_name, str) and embedding_name.startswith('{')):
        # MXNet's registry reads the name of a dict config from the key 'token embedding',
        # which this function cannot pass on: these forms fail with KeyError there.
        raise KeyError('token embedding')
    if not isinstance(embedding_name, str):
        raise AssertionError('token embedding must be of string type')
    if embedding_name.startswith('['):
        name, json_kwargs = json.loads(embedding_name)
        return create(name, **json_kwargs)
    name = embedding_name.lower()
    if name not in _REGISTRY:
        raise AssertionError(f'{name} is not registered. Please register with token '
                             f'embedding.register first')
    return _REGISTRY[name](**kwargs)


def _file_names(embedding_cls):
    """The pre-trained file names of a registered class: pymx's ``pretrained_file_names``,
    or the keys of ``pretrained_file_name_sha1`` (a class written for MXNet)."""
    if hasattr(embedding_cls, 'pretrained_file_name_sha1'):
        return list(embedding_cls.pretrained_file_name_sha1)
    return list(embedding_cls.pretrained_file_names)


def get_pretrained_file_names(embedding_name=None):
    """The valid ``pretrained_file_name`` values of the registered embeddings.

    With a name (``'glove'``, ``'fasttext'``; case-sensitive here, unlike ``create``):
    the list of its file names, ``KeyError`` for an unknown name.  Without: a dict
    ``{embedding name: list of file names}`` over all registered embeddings."""
    if embedding_name is not None:
        if embedding_name not in _REGISTRY:
            raise KeyError('Cannot find `embedding_name` %s. Use `get_pretrained_file_names('
                           'embedding_name=None).keys()` to get all the valid embedding '
                           'names.' % embedding_name)
        return _file_names(_REGISTRY[embedding_name])
    return {name: _file_names(cls) for name, cls in _REGISTRY.items()}


def _array(values):
    """An ``mx.np.ndarray`` under ``npx.set_np()``, else an ``mx.nd.NDArray``."""
    if is_np_array():
        from ... import numpy as mx_np
        return mx_np.array(values)
    return nd.array(values)


def _as_numpy(x):
    """A NumPy view of what ``init_unknown_vec`` or a lookup returned."""
    return x.asnumpy() if hasattr(x, 'asnumpy') else np.asarray(x)


class _TokenEmbedding(vocab.Vocabulary):
    """Base class of the token embeddings: a ``Vocabulary`` with vectors (module doc).

    Subclasses load vectors with ``_load_embedding`` and optionally re-index them to a
    vocabulary with ``_build_embedding_for_vocabulary``.  Keyword arguments go to
    ``Vocabulary`` (``unknown_token``, ``reserved_tokens``, ...): those tokens are indexed
    before the file's.  As in MXNet, reserved tokens get indices but no rows of
    ``idx_to_vec`` (the loaded rows follow row 0 directly), so give reserved tokens
    through a ``vocabulary=`` instead.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    # ---- reading a file -------------------------------------------------------------
    def _load_embedding(self, pretrained_file_path, elem_delim, init_unknown_vec,
                        encoding='utf8'):
        """Index the tokens of a text embedding file and set ``idx_to_vec`` (module doc)."""
        pretrained_file_path = os.path.expanduser(pretrained_file_path)
        if not os.path.isfile(pretrained_file_path):
            raise ValueError('`pretrained_file_path` must be a valid path to the pre-trained '
                             'token embedding file (got %r).' % pretrained_file_path)
        logging.info('Loading pre-trained token embedding vectors from %s',
                     pretrained_file_path)

        vec_len = None
        rows = []                       # float32 vectors of the file's tokens, in file order
        seen = set()                    # tokens of this file already loaded
        loaded_unknown_vec = None
        with open(pretrained_file_path, 'r', encoding=encoding) as f:
            for line_num, line in enumerate(f, start=1):
                elems = line.rstrip().split(elem_delim)
                if len(elems) <= 1:
                    raise AssertionError(
                        f'At line {line_num} of the pre-trained text embedding file: the data '
                        f'format of the pre-trained token embedding file '
                        f'{pretrained_file_path} is unexpected.')
                token, vec = elems[0], [float(x) for x in elems[1:]]

                if token == self.unknown_token and loaded_unknown_vec is None:
                    loaded_unknown_vec = vec
                    seen.add(token)
                elif token in seen:
                    warnings.warn(f'At line {line_num} of the pre-trained token embedding '
                                  f'file: the embedding vector for token {token} has been '
                                  f'loaded and a duplicate embedding for the same token is '
                                  f'seen and skipped.')
                elif len(vec) == 1:
                    warnings.warn(f'At line {line_num} of the pre-trained text embedding '
                                  f'file: token {token} with 1-dimensional vector {vec} is '
                                  f'likely a header and is skipped.')
                else:
                    if vec_len is None:
                        vec_len = len(vec)
                    elif len(vec) != vec_len:
                        raise AssertionError(
                            f'At line {line_num} of the pre-trained token embedding file: '
                            f'the dimension of token {token} is {len(vec)} but the dimension '
                            f'of previous tokens is {vec_len}. Dimensions of all the tokens '
                            f'must be the same.')
                    rows.append(np.asarray(vec, dtype=np.float32))   # small, as we go
                    self._idx_to_token.append(token)
                    self._token_to_idx[token] = len(self._idx_to_token) - 1
                    seen.add(token)

        if vec_len is None:
            # MXNet fails here with a TypeError too (reshaping to width None); say why.
            raise TypeError(f'The pre-trained token embedding file {pretrained_file_path} '
                            f'has no token vector to load.')
        # Row 0 is the unknown token's: from the file, else from init_unknown_vec.
        matrix = np.zeros((1 + len(rows), vec_len), dtype=np.float32)
        matrix[1:] = np.stack(rows)
        if loaded_unknown_vec is None:
            matrix[C.UNKNOWN_IDX] = _as_numpy(init_unknown_vec(shape=vec_len))
        else:
            matrix[C.UNKNOWN_IDX] = np.asarray(loaded_unknown_vec, dtype=np.float64)
        self._vec_len = vec_len
        self._idx_to_vec = _array(matrix)

    # ---- re-indexing to a vocabulary --------------------------------------------------
    def _index_tokens_from_vocabulary(self, vocabulary):
        """Take the tokens and indices of ``vocabulary`` (copies of its lists and dict)."""
        self._token_to_idx = vocabulary.token_to_idx.copy()
        self._idx_to_token = vocabulary.idx_to_token[:]
        self._unknown_token = vocabulary.unknown_token
        self._reserved_tokens = None if vocabulary.reserved_tokens is None \
            else vocabulary.reserved_tokens[:]

    def _set_idx_to_vec_by_embeddings(self, token_embeddings, vocab_len, vocab_idx_to_token):
        """Set ``idx_to_vec`` to the concatenated vectors of ``token_embeddings`` for the
        tokens ``vocab_idx_to_token``: row 0 joins the embeddings' unknown vectors, row
        ``i`` the vectors each embedding gives token ``i`` (its unknown vector when it
        does not know the token)."""
        if not token_embeddings:
            # MXNet fails creating the (vocab_len, 0) matrix (a zero-size shape).
            raise MXNetError('CompositeEmbedding: `token_embeddings` is an empty list; give at '
                             'least one token embedding.')
        blocks = []
        for embed in token_embeddings:
            block = np.zeros((vocab_len, embed.vec_len), dtype=np.float32)
            block[0] = _as_numpy(embed.idx_to_vec[0])
            block[1:] = _as_numpy(embed.get_vecs_by_tokens(list(vocab_idx_to_token[1:])))
            blocks.append(block)
        self._vec_len = sum(embed.vec_len for embed in token_embeddings)
        self._idx_to_vec = _array(np.concatenate(blocks, axis=1))

    def _build_embedding_for_vocabulary(self, vocabulary):
        """Re-index this embedding to ``vocabulary`` (a ``Vocabulary``, else
        ``AssertionError``)."""
        if vocabulary is None:
            return
        if not isinstance(vocabulary, vocab.Vocabulary):
            raise AssertionError('The argument `vocabulary` must be an instance of '
                                 'mxnet.contrib.text.vocab.Vocabulary.')
        self._set_idx_to_vec_by_embeddings([self], len(vocabulary), vocabulary.idx_to_token)
        self._index_tokens_from_vocabulary(vocabulary)

    # ---- the public interface ---------------------------------------------------------
    @property
    def vec_len(self):
        """int: the length of each token's vector."""
        return self._vec_len

    @property
    def idx_to_vec(self):
        """NDArray ``(len(self), vec_len)``: row ``i`` is the vector of token ``i``."""
        return self._idx_to_vec

    def get_vecs_by_tokens(self, tokens, lower_case_backup=False):
        """The vector of a token (1-D, ``(vec_len,)``), or of a *list* of tokens (2-D,
        ``(len(tokens), vec_len)``), looked up with the ``Embedding`` operator.

        Unknown tokens get the unknown token's vector (row 0).  With
        ``lower_case_backup=True`` a token not found as written is looked up again in
        lower case (``'Hello'`` finds ``'hello'``)."""
        single = not isinstance(tokens, list)
        if single:
            tokens = [tokens]
        lookup = self._token_to_idx
        if lower_case_backup:
            indices = [lookup[t] if t in lookup else lookup.get(t.lower(), C.UNKNOWN_IDX)
                       for t in tokens]
        else:
            indices = [lookup.get(t, C.UNKNOWN_IDX) for t in tokens]

        rows, width = self._idx_to_vec.shape
        if is_np_array():
            from ... import numpy_extension as npx
            vecs = npx.embedding(_array(indices), self._idx_to_vec, rows, width)
        else:
            vecs = nd.Embedding(nd.array(indices), self._idx_to_vec, rows, width)
        return vecs[0] if single else vecs

    def update_token_vectors(self, tokens, new_vectors):
        """Overwrite the vectors of ``tokens`` in ``idx_to_vec`` (in place).

        ``new_vectors`` is an NDArray ``(len(tokens), vec_len)``; for a single token (a
        string or a one-element list) it may also be 1-D ``(vec_len,)``.  Other shapes or
        types are an ``AssertionError``.  A token that is not indexed is a ``ValueError``:
        to change the unknown token's vector, name it (``'<unk>'``) explicitly."""
        if self.idx_to_vec is None:
            raise AssertionError('The property `idx_to_vec` has not been properly set.')
        if not isinstance(tokens, list) or len(tokens) == 1:
            if not (isinstance(new_vectors, nd.NDArray) and len(new_vectors.shape) in (1, 2)):
                raise AssertionError('`new_vectors` must be a 1-D or 2-D NDArray if `tokens` '
                                     'is a singleton.')
            if not isinstance(tokens, list):
                tokens = [tokens]
            if len(new_vectors.shape) == 1:
                new_vectors = new_vectors.reshape((1, -1))
        elif not (isinstance(new_vectors, nd.NDArray) and len(new_vectors.shape) == 2):
            raise AssertionError('`new_vectors` must be a 2-D NDArray if `tokens` is a list '
                                 'of multiple strings.')
        if tuple(new_vectors.shape) != (len(tokens), self.vec_len):
            raise AssertionError(f'The length of new_vectors must be equal to the number of '
                                 f'tokens and the width of new_vectors must be equal to the '
                                 f'dimension of embeddings of the glossary: got shape '
                                 f'{tuple(new_vectors.shape)} for {len(tokens)} tokens of '
                                 f'length {self.vec_len}.')
        indices = []
        for token in tokens:
            if token not in self._token_to_idx:
                raise ValueError(f'Token {token} is unknown. To update the embedding vector '
                                 f'for an unknown token, please specify it explicitly as the '
                                 f'`unknown_token` {self._idx_to_token[C.UNKNOWN_IDX]} in '
                                 f'`tokens`. This is to avoid unintended updates.')
            indices.append(self._token_to_idx[token])
        # Row assignment into the existing array: references to idx_to_vec see the update.
        self._idx_to_vec[_array(indices)] = new_vectors

    # ---- the files of GloVe / FastText -----------------------------------------------
    @classmethod
    def _check_pretrained_file_names(cls, pretrained_file_name):
        """``KeyError`` unless ``pretrained_file_name`` is one of the class's files."""
        names = _file_names(cls)
        if pretrained_file_name not in names:
            embedding_name = cls.__name__.lower()
            raise KeyError('Cannot find pretrained file %s for token embedding %s. Valid '
                           'pretrained files for embedding %s: %s' %
                           (pretrained_file_name, embedding_name, embedding_name,
                            ', '.join(names)))

    @classmethod
    def _get_download_file_name(cls, pretrained_file_name):
        """The archive MXNet downloads ``pretrained_file_name`` in (the file itself here)."""
        return pretrained_file_name

    def _load_pretrained(self, cls, pretrained_file_name, embedding_root, init_unknown_vec,
                         vocabulary):
        """Load ``cls``'s file ``pretrained_file_name`` (checked against its known names)
        from ``embedding_root``, then re-index to ``vocabulary`` when given."""
        cls._check_pretrained_file_names(pretrained_file_name)
        path = cls._get_pretrained_file(embedding_root, pretrained_file_name)
        self._load_embedding(path, ' ', init_unknown_vec)
        if vocabulary is not None:
            self._build_embedding_for_vocabulary(vocabulary)

    @classmethod
    def _get_pretrained_file(cls, embedding_root, pretrained_file_name):
        """The path ``embedding_root/<class name>/<file>``; ``ConnectionError`` (an
        ``OSError``) when the file is not there, since pymx never downloads."""
        embedding_dir = os.path.join(os.path.expanduser(embedding_root), cls.__name__.lower())
        path = os.path.join(embedding_dir, pretrained_file_name)
        if os.path.isfile(path):
            return path
        archive = cls._get_download_file_name(pretrained_file_name)
        url = '{}gluon/embeddings/{}/{}'.format(
            os.environ.get('MXNET_GLUON_REPO', C.APACHE_REPO_URL), cls.__name__.lower(),
            archive)
        how = f'it from {url}' if archive == pretrained_file_name else \
            f'{archive} from {url} and extract {pretrained_file_name} from it'
        raise ConnectionError(
            f'The pre-trained embedding file {pretrained_file_name} is not at {path}, and '
            f'pymx never downloads (MXNet would download it here). Download {how} into '
            f'{embedding_dir}, or pass embedding_root=<folder holding '
            f'{cls.__name__.lower()}/{pretrained_file_name}>. Any file in this format also '
            f'loads with CustomEmbedding(path).')


#: MXNet's default ``embedding_root``: ``$MXNET_HOME/embeddings``, else
#: ``~/.mxnet/embeddings`` (expanded once, at import, as MXNet does).
_DEFAULT_ROOT = os.path.join(
    os.getenv('MXNET_HOME', os.path.join(os.path.expanduser('~'), '.mxnet')), 'embeddings')


@register
class GloVe(_TokenEmbedding):
    """The GloVe word vectors (https://nlp.stanford.edu/projects/glove/), read from
    ``embedding_root/glove/<pretrained_file_name>``.

    ``pretrained_file_name`` must be one of ``get_pretrained_file_names('glove')``
    (``KeyError`` otherwise), e.g. ``'glove.6B.50d.txt'`` (from ``glove.6B.zip``).  A
    missing file raises ``ConnectionError`` naming the folder to put it in (module doc).

    Parameters
    ----------
    pretrained_file_name : str, default 'glove.840B.300d.txt'
    embedding_root : str, default ``$MXNET_HOME/embeddings`` (``~/.mxnet/embeddings``)
    init_unknown_vec : callable, default ``nd.zeros``
        Called as ``init_unknown_vec(shape=vec_len)`` for the unknown token's vector.
    vocabulary : Vocabulary or None
        Re-index the loaded vectors to this vocabulary.
    """

    #: The file names MXNet 1.9.1 knows (``get_pretrained_file_names('glove')``).
    pretrained_file_names = C.GLOVE_FILE_NAMES

    @classmethod
    def _get_download_file_name(cls, pretrained_file_name):
        """``glove.6B.50d.txt`` comes in ``glove.6B.zip``: the archive with the same corpus
        (the second dot-separated part)."""
        corpus = pretrained_file_name.split('.')[1]
        return {a.split('.')[1]: a for a in C.GLOVE_ARCHIVE_NAMES}[corpus]

    def __init__(self, pretrained_file_name='glove.840B.300d.txt',
                 embedding_root=_DEFAULT_ROOT, init_unknown_vec=nd.zeros, vocabulary=None,
                 **kwargs):
        super().__init__(**kwargs)
        self._load_pretrained(GloVe, pretrained_file_name, embedding_root,
                              init_unknown_vec, vocabulary)


@register
class FastText(_TokenEmbedding):
    """The fastText word vectors (https://fasttext.cc/), read from
    ``embedding_root/fasttext/<pretrained_file_name>``.

    ``pretrained_file_name`` must be one of ``get_pretrained_file_names('fasttext')``
    (``KeyError`` otherwise), e.g. ``'wiki.simple.vec'`` (from ``wiki.simple.zip``).  The
    ``.vec`` header line (``"<count> <dim>"``) is skipped.  A missing file raises
    ``ConnectionError`` naming the folder to put it in (module doc).

    Parameters
    ----------
    pretrained_file_name : str, default 'wiki.simple.vec'
    embedding_root : str, default ``$MXNET_HOME/embeddings`` (``~/.mxnet/embeddings``)
    init_unknown_vec : callable, default ``nd.zeros``
        Called as ``init_unknown_vec(shape=vec_len)`` for the unknown token's vector.
    vocabulary : Vocabulary or None
        Re-index the loaded vectors to this vocabulary.
    """

    #: The file names MXNet 1.9.1 knows (``get_pretrained_file_names('fasttext')``).
    pretrained_file_names = C.FAST_TEXT_FILE_NAMES

    @classmethod
    def _get_download_file_name(cls, pretrained_file_name):
        """``wiki.simple.vec`` comes in ``wiki.simple.zip``."""
        return pretrained_file_name.rsplit('.', 1)[0] + '.zip'

    def __init__(self, pretrained_file_name='wiki.simple.vec',
                 embedding_root=_DEFAULT_ROOT, init_unknown_vec=nd.zeros, vocabulary=None,
                 **kwargs):
        super().__init__(**kwargs)
        self._load_pretrained(FastText, pretrained_file_name, embedding_root,
                              init_unknown_vec, vocabulary)


class CustomEmbedding(_TokenEmbedding):
    """Token vectors from any text file in the GloVe format (module doc).

    Parameters
    ----------
    pretrained_file_path : str
        The file (``~`` is expanded); ``ValueError`` if it does not exist.
    elem_delim : str, default ' '
        The separator of the token and the elements on each line.
    encoding : str, default 'utf8'
    init_unknown_vec : callable, default ``nd.zeros``
        Called as ``init_unknown_vec(shape=vec_len)`` for the unknown token's vector
        (unless the file has a line for the unknown token).
    vocabulary : Vocabulary or None
        Re-index the loaded vectors to this vocabulary.
    """

    def __init__(self, pretrained_file_path, elem_delim=' ', encoding='utf8',
                 init_unknown_vec=nd.zeros, vocabulary=None, **kwargs):
        super().__init__(**kwargs)
        self._load_embedding(pretrained_file_path, elem_delim, init_unknown_vec, encoding)
        if vocabulary is not None:
            self._build_embedding_for_vocabulary(vocabulary)


class CompositeEmbedding(_TokenEmbedding):
    """The tokens of ``vocabulary`` with their vectors from one or several embeddings,
    concatenated (``vec_len`` is the sum of theirs).

    Row ``i`` of ``idx_to_vec`` joins what each embedding gives token ``i`` (its unknown
    vector when it does not know it); row 0 joins the embeddings' unknown vectors.

    Parameters
    ----------
    vocabulary : Vocabulary
    token_embeddings : a token embedding or a list of them
    """

    def __init__(self, vocabulary, token_embeddings):
        if not isinstance(vocabulary, vocab.Vocabulary):
            raise AssertionError('The argument `vocabulary` must be an instance of '
                                 'mxnet.contrib.text.indexer.Vocabulary.')
        if not isinstance(token_embeddings, list):
            token_embeddings = [token_embeddings]
        for embed in token_embeddings:
            if not isinstance(embed, _TokenEmbedding):
                raise AssertionError('The argument `token_embeddings` must be an instance or '
                                     'a list of instances of token embeddings.')
        self._index_tokens_from_vocabulary(vocabulary)
        self._set_idx_to_vec_by_embeddings(token_embeddings, len(self), self.idx_to_token)
