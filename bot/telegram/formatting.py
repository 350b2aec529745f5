"""Text as Telegram should get it: left-to-right runs isolated in Arabic and Dari, and long
replies split under Telegram's message limit.

* ``isolate_ltr_runs``: in right-to-left text, every Swedish word, number, e-mail address
  or link is wrapped in FSI U+2068 … PDI U+2069, so that it keeps its own direction and cannot
  scramble the line (LANGUAGE-NOTES.md). Runs the assistant isolated already are left as they
  are, so nothing is wrapped twice; punctuation at the end of a run stays outside it, where the
  right-to-left sentence needs it.
* ``split_message``: Telegram refuses messages over 4096 characters (counted in UTF-16 code
  units, so an emoji counts twice). A longer reply is cut at a paragraph, else a line, else a
  sentence, else a space, never inside an isolated run.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from bot.i18n import FSI, PDI
from bot.language import RIGHT_TO_LEFT

MESSAGE_LIMIT = 4096

_ISOLATE_OPENERS = "\u2066\u2067\u2068"  # LRI, RLI, FSI
_ISOLATED_SPAN = re.compile(f"[{_ISOLATE_OPENERS}][^{PDI}]*{PDI}")
_LATIN_LETTER = "A-Za-z\u00c0-\u024f"
# A left-to-right run starts with a Latin letter or a digit (a leading + for phone numbers, a
# leading / for bot commands), may go on over spaces and the punctuation of names, numbers,
# addresses and links, and ends with a letter, a digit or a slash: a full stop or comma after
# it belongs to the sentence.
_LTR_RUN = re.compile(
    rf"(?:\+?[0-9]|/?[{_LATIN_LETTER}])"
    rf"(?:[{_LATIN_LETTER}0-9 \t.,:;/\-_?=&%+#@~'’()*!]*[{_LATIN_LETTER}0-9/])?"
)
_RIGHT_TO_LEFT_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_LATIN_LETTERS = re.compile(f"[{_LATIN_LETTER}]")
_STRONG_LETTER = re.compile(f"[{_LATIN_LETTER}]|[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _outside_isolates(text: str) -> List[Tuple[bool, str]]:
    """The text in pieces, each marked True when it is inside an existing isolate."""
    pieces, position = [], 0
    for span in _ISOLATED_SPAN.finditer(text):
        pieces.append((False, text[position:span.start()]))
        pieces.append((True, span.group()))
        position = span.end()
    pieces.append((False, text[position:]))
    return pieces


def is_right_to_left(text: str) -> bool:
    """Whether a message reads right to left: its first strong letter outside isolates is
    Arabic script (the rule of Unicode's bidi algorithm, which Telegram's clients follow), or
    most of its letters are ("SFI – کورس زبان سویدنی" must become right to left, and will once
    "SFI" is isolated)."""
    outside = "".join(piece for isolated, piece in _outside_isolates(text) if not isolated)
    first = _STRONG_LETTER.search(outside)
    if first is None:
        return False
    right_to_left = len(_RIGHT_TO_LEFT_LETTER.findall(outside))
    return bool(_RIGHT_TO_LEFT_LETTER.match(first.group())) or right_to_left > len(_LATIN_LETTERS.findall(outside))


def isolate_ltr_runs(text: str, language: Optional[str] = None) -> str:
    """Wrap the left-to-right runs of right-to-left text in FSI … PDI, once.

    ``language`` says whether the text is right to left when the caller knows it (the Telegram
    layer's own texts). Otherwise each line decides for itself, as each line is a paragraph
    with its own direction for Unicode's bidi algorithm: a link alone on its line in a Dari
    answer, or the Swedish part of a greeting in three languages, stays left to right.
    """
    if language:
        return _isolate_runs_outside_isolates(text) if language in RIGHT_TO_LEFT else text
    return "\n".join(_isolate_runs_outside_isolates(line) if is_right_to_left(line) else line
                     for line in text.split("\n"))


def _isolate_runs_outside_isolates(text: str) -> str:
    return "".join(piece if isolated else _isolate_runs(piece) for isolated, piece in _outside_isolates(text))


def _isolate_runs(piece: str) -> str:
    out, position = [], 0
    while True:
        run = _LTR_RUN.search(piece, position)
        if run is None:
            break
        end = _balanced_end(piece, run.start(), run.end())
        out += [piece[position:run.start()], FSI, piece[run.start():end], PDI]
        position = end
    out.append(piece[position:])
    return "".join(out)


def _balanced_end(piece: str, start: int, end: int) -> int:
    """Where a run must end so that its brackets pair up: "Nacka (kommun" takes the ")" that
    follows it, or stops before the "(" that has no partner inside the run."""
    open_positions: List[int] = []
    for index in range(start, end):
        if piece[index] == "(":
            open_positions.append(index)
        elif piece[index] == ")":
            if not open_positions:
                return _trim(piece, start, index)
            open_positions.pop()
    if not open_positions:
        return end
    if piece[end:end + len(open_positions)] == ")" * len(open_positions):
        return end + len(open_positions)
    return _trim(piece, start, open_positions[0])


def _trim(piece: str, start: int, end: int) -> int:
    """``end`` moved back over spaces and punctuation, keeping at least one character."""
    while end > start + 1 and not piece[end - 1].isalnum() and piece[end - 1] != "/":
        end -= 1
    return end


# --- splitting --------------------------------------------------------------------------

def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_within(text: str, limit: int) -> int:
    """How many characters of ``text`` fit into ``limit`` UTF-16 code units."""
    units = 0
    for index, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


# Boundaries in order of preference; each match's end is where the next part may begin.
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),  # paragraph
    re.compile(r"\n"),  # line
    re.compile(r"(?<=[.!?؟۔…])\s+"),  # sentence (Latin and Arabic question marks, Urdu/Dari full stop)
    re.compile(r"[ \t]+"),  # word
)


def _isolated_ranges(text: str) -> List[Tuple[int, int]]:
    return [(m.start(), m.end()) for m in _ISOLATED_SPAN.finditer(text)]


def _cut_position(text: str, window: int) -> Tuple[int, int]:
    """Where to end this part and where the next one starts, within ``window`` characters.

    A boundary in the second half of the window is preferred, so parts stay long; a cut never
    falls inside an isolated run.
    """
    isolated = _isolated_ranges(text)

    def inside_isolate(position: int) -> bool:
        return any(start < position < end for start, end in isolated)

    for earliest in (window // 2, 1):
        for boundary in _BOUNDARIES:
            candidates = [m for m in boundary.finditer(text, earliest, window + 1)
                          if m.start() >= earliest and not inside_isolate(m.start())]
            if candidates:
                return candidates[-1].start(), candidates[-1].end()
    # No boundary at all (one very long word): cut hard, before an isolated run if one is open.
    for start, end in isolated:
        if start < window < end and start > 0:
            return start, start
    return window, window


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> List[str]:
    """``text`` as parts of at most ``limit`` UTF-16 code units, cut at the best boundary."""
    parts: List[str] = []
    rest = text.strip()
    while utf16_length(rest) > limit:
        window = _prefix_within(rest, limit)
        end, next_start = _cut_position(rest, window)
        part = rest[:end].rstrip()
        if part:
            parts.append(part)
        rest = rest[next_start:].lstrip("\n")
    if rest.strip():
        parts.append(rest)
    return parts
