"""Per-sender rate limiting (bot/rate_limit.py, hooked into bot/channels.py).

The unit tests drive the token bucket with a fake clock. The stack test floods one
conversation per language through the real REST channel: the flood gets the polite message in
the user's language and never reaches Rasa, a second sender is answered normally meanwhile,
and once the bucket has refilled the first sender is answered again.
"""

import time

import pytest

from bot.rate_limit import DEFAULT_BURST, DEFAULT_PER_MINUTE, SenderRateLimiter, from_environment
from tests.helpers import assert_language, text_of


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_burst_passes_then_one_message_per_refill_interval():
    clock = FakeClock()
    limiter = SenderRateLimiter(per_minute=60, burst=10, clock=clock)
    assert all(limiter.check("a").allowed for _ in range(10))
    refused = limiter.check("a")
    assert not refused.allowed and refused.retry_after_seconds == 1
    clock.now += 1.0
    assert limiter.check("a").allowed
    assert not limiter.check("a").allowed


def test_senders_do_not_share_a_bucket():
    limiter = SenderRateLimiter(per_minute=60, burst=3, clock=FakeClock())
    for _ in range(3):
        limiter.check("flooder")
    assert not limiter.check("flooder").allowed
    assert limiter.check("someone-else").allowed


def test_refused_messages_do_not_lengthen_the_wait():
    clock = FakeClock()
    limiter = SenderRateLimiter(per_minute=30, burst=1, clock=clock)
    assert limiter.check("a").allowed
    for _ in range(50):  # hammering while limited costs nothing extra
        assert not limiter.check("a").allowed
    clock.now += 2.0
    assert limiter.check("a").allowed


def test_the_retry_hint_is_whole_seconds_and_never_zero():
    clock = FakeClock()
    limiter = SenderRateLimiter(per_minute=6, burst=1, clock=clock)  # one per 10 s
    limiter.check("a")
    clock.now += 9.9
    assert limiter.check("a").retry_after_seconds == 1
    clock.now += 0.05
    assert limiter.check("a").retry_after_seconds == 1


def test_memory_is_bounded_by_forgetting_the_least_recently_seen_sender():
    limiter = SenderRateLimiter(per_minute=60, burst=1, max_senders=100, clock=FakeClock())
    limiter.check("old")
    for number in range(500):
        limiter.check(f"rotating-{number}")
    assert len(limiter) == 100
    assert limiter.check("old").allowed  # forgotten, so it starts full: never against the user


def test_configuration_from_the_environment():
    default = from_environment({})
    assert default.rate == DEFAULT_PER_MINUTE / 60 and default.burst == DEFAULT_BURST
    custom = from_environment({"RATE_LIMIT_PER_MINUTE": "30", "RATE_LIMIT_BURST": "5"})
    assert custom.rate == 0.5 and custom.burst == 5
    off = from_environment({"RATE_LIMIT_PER_MINUTE": "0"})
    assert not off.enabled and all(off.check("a").allowed for _ in range(1000))
    with pytest.raises(ValueError):
        from_environment({"RATE_LIMIT_PER_MINUTE": "lots"})
    with pytest.raises(ValueError):
        from_environment({"RATE_LIMIT_BURST": "0"})


def test_defaults_let_a_fast_typist_and_the_benchmark_through():
    """20 answers in a row at 5 messages/s (far faster than anyone types, as fast as the
    benchmark's conversations go) are never limited."""
    clock = FakeClock()
    limiter = from_environment({})
    limiter.clock = clock
    for _ in range(20):
        assert limiter.check("typist").allowed
        clock.now += 0.2


SLOW_DOWN_WORDS = {"sv": "vänta", "ar": "انتظر", "fa_AF": "صبر"}
OPENERS = {"sv": "hej", "ar": "مرحبا كيفك", "fa_AF": "سلام چطور هستی"}


@pytest.mark.parametrize("language", ["sv", "ar", "fa_AF"])
def test_a_flood_is_slowed_politely_in_the_users_language_and_others_are_unaffected(chat, language):
    from bot.rate_limit import DEFAULT_BURST

    flooder, bystander = chat.new_sender(), chat.new_sender()
    chat.send(flooder, OPENERS[language], {"language": language})
    turns_before = len([e for e in chat.tracker(flooder)["events"] if e["event"] == "user"])

    limited = []
    for number in range(DEFAULT_BURST + 10):
        response = chat.post({"sender": flooder, "message": f"{OPENERS[language]} {number}"})
        assert response.status_code == 200
        replies = response.json()
        assert replies, "a limited message must still get a reply"
        if "Retry-After" in response.headers:
            limited.append((replies, int(response.headers["Retry-After"])))
    assert limited, "a flood of messages was never slowed down"
    replies, retry_after = limited[-1]
    assert len(replies) == 1 and SLOW_DOWN_WORDS[language] in text_of(replies).lower()
    assert 1 <= retry_after <= 60
    assert_language(replies, language)

    # Meanwhile another person is answered as usual.
    other = chat.send(bystander, OPENERS[language], {"language": language})
    assert SLOW_DOWN_WORDS[language] not in text_of(other).lower()

    # Limited messages never reached Rasa: the tracker holds only the answered ones.
    turns_after = len([e for e in chat.tracker(flooder)["events"] if e["event"] == "user"])
    assert turns_after - turns_before == DEFAULT_BURST + 10 - len(limited)

    # After the wait, the first sender is answered again.
    time.sleep(retry_after + 0.2)
    again = chat.send(flooder, OPENERS[language])
    assert SLOW_DOWN_WORDS[language] not in text_of(again).lower()
    assert_language(again, language)
