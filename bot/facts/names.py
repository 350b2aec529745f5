"""Comparing organisation and school names from different sources.

Staff write "Vuxenutbildningen (Komvux) i Nacka, SFI", the register says "Vuxenutbildningen
Nacka"; staff write "Hermods", the register "Hermods AB". ``same_name`` treats names as equal
when they differ only in case, punctuation, spacing and generic words (legal form, "kommun",
"i", "SFI"); ``similar_name`` finds names that differ only slightly (a typo, a missing word,
å/a), which the staff's review shows as "the names differ" rather than as two unrelated entries.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Iterable, Tuple

# Words that say nothing about which organisation it is. Legal forms and the municipality's
# own designation come and go between sources; "SFI" is implied by the kind of fact.
GENERIC_WORDS = frozenset({"ab", "aktiebolag", "hb", "kb", "i", "kommun", "kommuns", "stad", "stads", "sfi"})
FILLER_WORDS = frozenset({"och", "av", "for", "med", "pa", "the"})  # only ignored when judging similarity
SIMILAR_RATIO = 0.85  # difflib ratio of the folded names; 0.85 lets one typo per ~7 letters through
MIN_CONTAINED_WORD = 4  # a single contained word this long ("Lernia") counts as the same organisation

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def words(name: str) -> Tuple[str, ...]:
    """The name's significant words, case-folded, without punctuation or generic words."""
    text = unicodedata.normalize("NFKC", name or "").casefold().replace("&", " och ")
    return tuple(w for w in _NON_WORD.split(text) if w and w not in GENERIC_WORDS)


def fold(word: str) -> str:
    """Without diacritics (å→a, ö→o, é→e): for judging similarity only; in Swedish å, ä and ö
    are letters of their own, so names that differ in them are not *the same*."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def same_name(a: str, b: str) -> bool:
    """Equal up to case, punctuation, spacing and generic words."""
    first, second = words(a), words(b)
    return bool(first) and first == second


def similar_name(a: str, b: str, place_words: Iterable[str] = ()) -> bool:
    """Not the same, but close enough that both most likely mean one organisation.

    ``place_words`` are the municipality's own name(s): every provider in Nacka may have
    "Nacka" in its name, so that word alone never makes two names similar.
    """
    if same_name(a, b):
        return False
    places = {fold(w) for place in place_words for w in words(place)}
    first = [fold(w) for w in words(a) if fold(w) not in FILLER_WORDS]
    second = [fold(w) for w in words(b) if fold(w) not in FILLER_WORDS]
    if not first or not second:
        return False
    if difflib.SequenceMatcher(None, " ".join(first), " ".join(second)).ratio() >= SIMILAR_RATIO:
        return True
    smaller, larger = sorted((set(first), set(second)), key=len)
    telling = smaller - places
    if not telling or not smaller <= larger:
        return False
    if len(smaller) == 1:
        return len(next(iter(telling))) >= MIN_CONTAINED_WORD
    return len(smaller) * 2 >= len(larger)
