"""A bigram language model from a table of bigram counts: conditional
probabilities (maximum likelihood or add-k smoothed) and the chain-rule
probability of a sentence.

Counts format: ``vocabulary`` lists the word types, among them the start
marker ``"<s>"`` and the end marker ``"</s>"``; ``counts`` is a square table
over it, ``counts[i][j]`` the number of times ``vocabulary[j]`` directly
follows ``vocabulary[i]`` in the corpus (every corpus sentence padded as
``<s> w1 … wn </s>``). Nothing follows ``</s>`` and nothing precedes ``<s>``,
so the row of ``</s>`` and the column of ``<s>`` are zero.

A sentence is scored with the same padding: the words w1 … wn are framed by
``<s>`` and ``</s>``, so there are n + 1 factors, the last
:math:`P(\\langle/s\\rangle \\mid w_n)`. Logarithms are natural.
"""

import math

import numpy as np

BIGRAM_START = "<s>"
BIGRAM_END = "</s>"


def _lm_table(counts, vocabulary):
    """The counts as a float array and the index of each word type."""
    if isinstance(vocabulary, str) or not hasattr(vocabulary, "__iter__"):
        raise ValueError(f"vocabulary must be a list of word types, got {vocabulary!r}")
    vocabulary = list(vocabulary)
    if not all(isinstance(w, str) and w for w in vocabulary):
        raise ValueError("the word types of the vocabulary must be non-empty strings")
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError("the vocabulary lists a word type twice")
    for marker in (BIGRAM_START, BIGRAM_END):
        if marker not in vocabulary:
            raise ValueError(f"the vocabulary must contain the marker {marker!r}")
    if len(vocabulary) < 3:
        raise ValueError("the vocabulary needs at least one word besides <s> and </s>")
    try:
        table = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("counts must be a table of numbers") from None
    size = len(vocabulary)
    if table.shape != (size, size):
        raise ValueError(
            f"counts must be {size} × {size} (one row and column per word type), "
            f"got shape {table.shape}"
        )
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        raise ValueError("counts must be non-negative finite numbers")
    index = {word: i for i, word in enumerate(vocabulary)}
    if np.any(table[:, index[BIGRAM_START]] > 0):
        raise ValueError("counts has a bigram ending in <s>: nothing can follow a word into <s>")
    if np.any(table[index[BIGRAM_END]] > 0):
        raise ValueError("counts has a bigram starting at </s>: nothing follows </s>")
    return table, index


def _lm_smoothing(smoothing):
    if isinstance(smoothing, bool):
        raise ValueError(f"smoothing must be a number k ≥ 0, got {smoothing!r}")
    try:
        k = float(smoothing)
    except (TypeError, ValueError):
        raise ValueError(f"smoothing must be a number k ≥ 0, got {smoothing!r}") from None
    if not math.isfinite(k) or k < 0:
        raise ValueError(f"smoothing must be a finite number k ≥ 0, got {smoothing!r}")
    return k


def _lm_padded(sentence, index):
    """The indices of <s> w1 … wn </s>; markers already at the ends are not doubled."""
    words = sentence.split() if isinstance(sentence, str) else list(sentence)
    if words and words[0] == BIGRAM_START:
        words = words[1:]
    if words and words[-1] == BIGRAM_END:
        words = words[:-1]
    if not words:
        raise ValueError("the sentence needs at least one word")
    for word in words:
        if word in (BIGRAM_START, BIGRAM_END):
            raise ValueError(f"the marker {word!r} can only frame the sentence")
        if word not in index:
            raise ValueError(f"the word {word!r} is not in the vocabulary")
    return [index[BIGRAM_START]] + [index[w] for w in words] + [index[BIGRAM_END]]


def bigram_vocabulary_size(vocabulary):
    """|V| of add-k smoothing: the word types that can follow a word.

    Every type but ``<s>``, ``</s>`` included: the smoothed probabilities of
    the possible next words then sum to 1.
    """
    _lm_table(np.zeros((len(vocabulary), len(vocabulary))), vocabulary)
    return len(vocabulary) - 1


def bigram_factors(sentence, counts, vocabulary, smoothing=0.0):
    r"""The conditional probabilities of the chain rule, in order.

    .. math::

        P(w_i \mid w_{i-1}) = \frac{c(w_{i-1} w_i) + k}{c(w_{i-1}) + k\,|V|},
        \qquad c(w_{i-1}) = \sum_{w} c(w_{i-1} w)

    for :math:`i = 1, \dots, n+1` with :math:`w_0 = \langle s\rangle` and
    :math:`w_{n+1} = \langle/s\rangle`. :math:`c(w_{i-1})` is the row sum of the
    table (how often :math:`w_{i-1}` is followed by anything); :math:`|V|` is
    :func:`bigram_vocabulary_size`, the types that can follow (all but
    ``<s>``). k = 0 is the maximum-likelihood estimate, k = 1 add-one (Laplace).

    Parameters
    ----------
    sentence : list of str, or str
        The words w1 … wn (a string is split on whitespace), each in the
        vocabulary; ``<s>`` and ``</s>`` are added (and not doubled when given).
    counts : array_like, shape (|vocabulary|, |vocabulary|)
        Bigram counts, as described in the module docstring.
    vocabulary : list of str
        The word types, with ``"<s>"`` and ``"</s>"``.
    smoothing : float, default 0
        k ≥ 0. Without smoothing, every history in the sentence must occur in
        the counts (a zero row sum would give 0/0).

    Returns
    -------
    ndarray, shape (n + 1,)
    """
    table, index = _lm_table(counts, vocabulary)
    k = _lm_smoothing(smoothing)
    tokens = _lm_padded(sentence, index)
    size = len(index) - 1
    histories = table.sum(axis=1)
    factors = []
    for previous, word in zip(tokens[:-1], tokens[1:]):
        denominator = histories[previous] + k * size
        if denominator == 0:
            raise ValueError(
                f"{vocabulary[previous]!r} is never followed by anything in the counts: "
                "its conditional probabilities are 0/0 without smoothing"
            )
        factors.append((table[previous, word] + k) / denominator)
    return np.array(factors)


def bigram_probability(sentence, counts, vocabulary, smoothing=0.0):
    r"""The probability of a sentence under the bigram model (chain rule).

    .. math::

        P(w_1 \dots w_n) = \prod_{i=1}^{n+1} P(w_i \mid w_{i-1}),
        \qquad w_0 = \langle s\rangle,\; w_{n+1} = \langle/s\rangle

    with the factors of :func:`bigram_factors` (maximum likelihood for
    ``smoothing=0``, add-k otherwise).

    Parameters
    ----------
    sentence, counts, vocabulary, smoothing
        As in :func:`bigram_factors`.

    Returns
    -------
    float
        In [0, 1]; 0 when an unsmoothed bigram of the sentence never occurs.
    """
    return float(np.prod(bigram_factors(sentence, counts, vocabulary, smoothing)))


def bigram_log_probability(sentence, counts, vocabulary, smoothing=0.0):
    r"""The natural log of :func:`bigram_probability`, as a sum of logs.

    .. math:: \ln P(w_1 \dots w_n) = \sum_{i=1}^{n+1} \ln P(w_i \mid w_{i-1})

    Summing logs does not underflow for long sentences, as the product does.

    Returns
    -------
    float
        At most 0; ``-inf`` when a factor is 0.
    """
    factors = bigram_factors(sentence, counts, vocabulary, smoothing)
    with np.errstate(divide="ignore"):
        return float(np.sum(np.log(factors)))
