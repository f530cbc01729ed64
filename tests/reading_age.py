"""How hard a text is to read, as the Flesch-Kincaid grade (a US school grade; a UK reading
age is about five more). Words meant for a child of 9 to 11 should score 6 or under.

Syllables are counted by vowel groups, the usual approximation: good enough to catch a
sentence of long words, which is what these tests are for.
"""

from __future__ import annotations

import re

CHILD_GRADE = 6.0  # a reading age of about 11: the most a text for a child should need

_WORD = re.compile(r"[A-Za-z']+")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n")


def syllables(word: str) -> int:
    word = word.lower().strip("'")
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1  # a silent e: "care", "home"
    return max(count, 1)


def grade(text: str) -> float:
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    words = _WORD.findall(text)
    if not words:
        return 0.0
    per_sentence = len(words) / max(len(sentences), 1)
    per_word = sum(syllables(w) for w in words) / len(words)
    return 0.39 * per_sentence + 11.8 * per_word - 15.59
