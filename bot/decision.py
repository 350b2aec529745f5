"""What the assistant does with the intent classifier's scores: answer, answer and offer the
topic's other questions, ask, or hand over to a person. Plain Python, testable without Rasa.

Why a decision layer of its own instead of Rasa's ``FallbackClassifier`` (one threshold on the
top intent): a clear question such as "vill plugga svenska" spreads its probability over the
seven SFI sub-intents (0.2 each at best) although the *topic* is certain. So the layer looks
at two levels (docs/understanding.md):

* the **calibrated** probability of each intent: the SVM's margins through a softmax whose
  temperature is fitted on cross-validated margins of the training data at train time
  (``fit_temperature``), so that 0.7 means "right about 70 % of the time" on unseen text;
* the probability of each **topic**: the sum over its intents (``topic_of``).

Rules, in order (thresholds in config.yml, chosen on the cross-validated development split
with ``python -m bot.thresholds``, never on the held-out set):

1. *urgent*: crisis intents together ≥ ``urgent_threshold`` → the likeliest crisis intent;
   else hand-off intents together ≥ it → the likeliest hand-off intent. Low on purpose: a
   missed deportation decision costs far more than a person reading a housing question.
2. a language *named as something to learn* is no switch ("حابب اتعلم سويدي"):
   ``switch_language`` is dropped from the ranking and the rest renormalised
   (``bot.language.asks_about_learning_a_language``).
3. *courtesy plus a question* ("Tack! Vad kostar sfi?"): when greet/thank wins but words other
   than the courtesy remain, the likeliest answerable intent is taken instead.
4. *answer*: top intent ≥ ``intent_threshold``.
5. *topic*: the top intent's topic ≥ ``topic_threshold`` → answer the top intent and offer the
   topic's other likely questions as buttons.
6. *clarify* (``nlu_fallback``): offer the two or three likeliest specific questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from bot.language import asks_about_learning_a_language, normalize_for_nlu

FALLBACK_INTENT = "nlu_fallback"
TOPICS = ("sfi", "housing", "school")
URGENT_GROUPS = ("crisis", "handoff")
COURTESY_INTENTS = ("greet", "thank")
# "شكرا كتير بس كم بتكلف السفي؟" leaves the question a few per cent beside "thank".
COURTESY_RUNNER_UP_MIN = 0.005
# Intents a button can offer as "did you mean …": the answer topics (same names as topics.yml).
ANSWERABLE_PREFIXES = tuple(f"{topic}_" for topic in TOPICS)

DEFAULT_THRESHOLDS = {
    "intent_threshold": 0.6,
    "topic_threshold": 0.6,
    "urgent_threshold": 0.2,
    "alternative_min": 0.05,
}


def topic_of(intent: Optional[str]) -> Optional[str]:
    """``sfi``, ``housing``, ``school``, ``crisis`` or ``handoff`` for an intent of those groups;
    any other intent is a group of its own (its own name)."""
    if not intent:
        return None
    prefix = intent.split("_", 1)[0]
    if prefix in TOPICS + URGENT_GROUPS:
        return prefix
    return intent


def is_answerable(intent: Optional[str]) -> bool:
    return bool(intent) and intent.startswith(ANSWERABLE_PREFIXES)


# -- calibration ---------------------------------------------------------------------------

def softmax(margins: np.ndarray, scale: float) -> np.ndarray:
    """Row-wise softmax of ``scale * margins``."""
    shifted = scale * (margins - margins.max(axis=1, keepdims=True))
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(margins: np.ndarray, labels: np.ndarray) -> float:
    """The softmax scale that minimises the negative log-likelihood of the true labels.

    ``margins``: out-of-fold decision values (rows: examples, columns: classes); ``labels``: the
    column index of each example's true intent. A one-parameter fit (temperature scaling) keeps
    the ranking of the SVM unchanged and cannot overfit a few thousand examples."""
    rows = np.arange(len(labels))

    def nll(scale: float) -> float:
        probabilities = softmax(margins, scale)
        return float(-np.log(np.clip(probabilities[rows, labels], 1e-12, None)).mean())

    grid = np.exp(np.linspace(np.log(0.5), np.log(50.0), 60))
    best = min(grid, key=nll)
    # Refine around the best grid point.
    fine = np.linspace(best / 1.1, best * 1.1, 21)
    return float(min(fine, key=nll))


def topic_confidences(ranking: Sequence[Dict]) -> Dict[str, float]:
    """Sum of the intents' confidences per topic (see ``topic_of``)."""
    totals: Dict[str, float] = {}
    for entry in ranking:
        group = topic_of(entry["name"])
        if group:
            totals[group] = totals.get(group, 0.0) + float(entry["confidence"])
    return totals


# -- courtesy inside a question ------------------------------------------------------------

# Greetings and thanks as people type them, compared after normalize_for_nlu (so ي/ی, ك/ک and
# alef forms need not be listed twice). Longest phrases first.
_COURTESY_PHRASES = sorted({
    normalize_for_nlu(p) for p in """
    tack så mycket|tack så jättemycket|tusen tack|stort tack|tackar|tack|tacka dig|hej hej|hejsan|hallå|hej|
    god morgon|god dag|goddag|tjena|tja|hello|hi|thanks|thank you|salam|salaam|merci|mersi|
    شكرا كتير|شكرا جزيلا|شكرا كثير|شكرا هواية|شكرًا|شكرا|مشكور|مشكورين|يعطيك العافية|الله يعطيك العافية|
    جزاك الله خير|تسلم|تسلمي|السلام عليكم|سلام عليكم|مرحبا|مرحباً|اهلا|أهلا|هلا|صباح الخير|مساء الخير|
    تشکر|تشکر زیاد|بسیار تشکر|تشکر از شما|مرسی|ممنون|ممنونم|خیلی ممنون|سپاس|سلام|سلام علیکم|
    روز بخیر|صبح بخیر|خدا خیرت بته|زنده باشی""".replace("\n", "").split("|") if p.strip()
}, key=len, reverse=True)
_COURTESY = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(p) for p in _COURTESY_PHRASES) + r")(?!\w)"
)
# Words that go with a greeting or thanks and ask nothing ("tack för hjälpen", "شكرا على المساعدة",
# "تشکر از کمک شما"): not counted as a question beside the courtesy.
_LINKERS = frozenset(normalize_for_nlu("""och men but and bas bass بس لكن و ولكن بعدين سؤال سوال
    یک سوال داشتم ama o e habibi حبيبي اخي اخوي اختي جان عزیز
    för hjälpen svaret svar allt det dig er så mycket bra snällt igen du ni for the help your you very much
    all again ok okej على عن المساعدة مساعدتك مساعدتكم الرد ردك كل شي شيء الله يخليك يخليك كتير كثير جدا
    از کمک کمکت کمکتان کمک تان شما تو همه چیز معلومات جواب بسیار زیاد خیلی""").split())


def courtesy_and_rest(text: str) -> Tuple[Optional[str], List[str]]:
    """("thank" | "greet" | None, the words left once courtesy phrases and linkers are removed)."""
    normalized = normalize_for_nlu(text)
    found = [m.group(0) for m in _COURTESY.finditer(normalized)]
    if not found:
        return None, []
    kind = "greet"
    thanks = {normalize_for_nlu(w) for w in ("tack", "tackar", "tacka", "thanks", "thank", "merci", "mersi", "شكرا",
                                             "مشكور", "تسلم", "يعطيك", "جزاك", "تشکر", "مرسی", "ممنون", "سپاس",
                                             "خیرت", "زنده")}
    if any(word in thanks for phrase in found for word in phrase.split()):
        kind = "thank"
    rest = _COURTESY.sub(" ", normalized)
    words = [w for w in re.findall(r"[^\W_]+", rest) if w not in _LINKERS]
    return kind, words


# -- the decision ----------------------------------------------------------------------------

@dataclass
class Decision:
    """The outcome for one message; ``as_dict`` goes into the parse data as ``decision``."""

    kind: str  # urgent | answer | topic | clarify | switch
    intent: str  # the intent the rules act on (nlu_fallback for clarify)
    confidence: float
    topic: Optional[str] = None
    topic_confidence: float = 0.0
    alternatives: List[str] = field(default_factory=list)  # other likely answerable intents, best first
    courtesy: Optional[str] = None  # "thank" / "greet" said alongside a question

    def as_dict(self) -> Dict:
        return {"kind": self.kind, "intent": self.intent, "confidence": round(self.confidence, 4),
                "topic": self.topic, "topic_confidence": round(self.topic_confidence, 4),
                "alternatives": list(self.alternatives), "courtesy": self.courtesy}


def decide(ranking: Sequence[Dict], text: str, thresholds: Optional[Dict[str, float]] = None,
           known_words: Optional[int] = None) -> Decision:
    """Apply the rules of the module docstring to a ranking (best first, calibrated).

    ``known_words``: how many of the message's words occur in the training data (None: not
    known). The low urgent floor needs at least one: "xqzt blorp" spreads its probability
    over every intent, and its crisis share is no sign of a crisis."""
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    ranking = [dict(r) for r in ranking if r.get("name")]
    if not ranking:
        return Decision("clarify", FALLBACK_INTENT, 0.0)
    topics = topic_confidences(ranking)

    # 1. Urgent: any sign of danger or of a case only a person can handle (in words the model
    # knows; otherwise only when the urgent intent itself is clear).
    for group in URGENT_GROUPS:
        floor = t["urgent_threshold"] if known_words is None or known_words > 0 else t["intent_threshold"]
        if topics.get(group, 0.0) >= floor:
            best = next(r for r in ranking if topic_of(r["name"]) == group)
            return Decision("urgent", best["name"], best["confidence"], group, topics[group])

    # 2. A language named as something to learn ("vill plugga svenska") is not a request to switch:
    # such a message cannot be a switch at all, wherever switch_language ranks.
    if asks_about_learning_a_language(text):
        ranking = _without(ranking, "switch_language")
        topics = topic_confidences(ranking)

    # 3. Courtesy plus a question: answer the question (and thank or greet back).
    courtesy = None
    kind, rest = courtesy_and_rest(text)
    asks_more = bool(kind) and len(rest) >= 2
    if asks_more and ranking[0]["name"] in COURTESY_INTENTS:
        candidates = [r for r in ranking if r["name"] not in COURTESY_INTENTS]
        # Any answerable runner-up will do: the words besides the courtesy are a question, and
        # the renormalised ranking below still has to pass the usual thresholds.
        if candidates and is_answerable(candidates[0]["name"]) and candidates[0]["confidence"] >= COURTESY_RUNNER_UP_MIN:
            courtesy = kind
            ranking = _without(ranking, *COURTESY_INTENTS)
            topics = topic_confidences(ranking)
    elif asks_more and is_answerable(ranking[0]["name"]):
        courtesy = kind

    top = ranking[0]
    group = topic_of(top["name"])
    topic_confidence = topics.get(group, 0.0)
    alternatives = [r["name"] for r in ranking[1:] if topic_of(r["name"]) == group and is_answerable(r["name"])
                    and r["confidence"] >= t["alternative_min"]][:2]

    # 4. Sure of the intent. Crisis and hand-off intents were judged in rule 1 on the model's own
    # probabilities; one that leads only after a switch or courtesy was set aside (its share
    # inflated by the renormalisation) is no signal, so the user is asked instead.
    if top["confidence"] >= t["intent_threshold"] and group not in URGENT_GROUPS:
        return Decision("answer", top["name"], top["confidence"], group, topic_confidence, [], courtesy)

    # 5. Sure of the topic, not of the question in it.
    if group in TOPICS and topic_confidence >= t["topic_threshold"]:
        return Decision("topic", top["name"], top["confidence"], group, topic_confidence, alternatives, courtesy)

    # 6. Unsure: the likeliest specific questions, across topics.
    offered = [r["name"] for r in ranking if is_answerable(r["name"]) and r["confidence"] >= t["alternative_min"]][:3]
    return Decision("clarify", FALLBACK_INTENT, top["confidence"], group, topic_confidence, offered, courtesy)


def _without(ranking: List[Dict], *names: str) -> List[Dict]:
    """The ranking without some intents, renormalised to sum to what it summed to before."""
    total = sum(r["confidence"] for r in ranking)
    kept = [r for r in ranking if r["name"] not in names]
    remaining = sum(r["confidence"] for r in kept)
    if remaining <= 0:
        return kept
    return [{**r, "confidence": r["confidence"] * total / remaining} for r in kept]
