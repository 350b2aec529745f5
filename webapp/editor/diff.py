"""Word-level differences between two texts, computed on the server.

The result is a list of plain-text segments with an operation; the template escapes every
segment (no HTML is built here), so content with ``<script>`` shows as text. Words are Unicode
``\\w`` runs, so Arabic and Dari words (and ZWNJ-joined Dari words) are compared whole.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import List

# A word (letters, digits, ZWNJ inside Dari words), a run of spaces, or one other character.
_TOKEN = re.compile(r"[\w\u200c]+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    op: str  # "same", "added" or "removed"
    text: str


def tokens(text: str) -> List[str]:
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> List[Segment]:
    """Segments that read as the new text with the removed words shown struck through."""
    a, b = tokens(old), tokens(new)
    segments: List[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(a[a1:a2])))
            continue
        if op in ("replace", "delete"):
            segments.append(Segment("removed", "".join(a[a1:a2])))
        if op in ("replace", "insert"):
            segments.append(Segment("added", "".join(b[b1:b2])))
    return _merge(segments)


def _merge(segments: List[Segment]) -> List[Segment]:
    merged: List[Segment] = []
    for segment in segments:
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(segment.op, merged[-1].text + segment.text)
        elif segment.text:
            merged.append(segment)
    return merged


def changed(segments: List[Segment]) -> bool:
    return any(s.op != "same" for s in segments)
