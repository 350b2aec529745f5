"""No gross slowdown: the product answers at least half as fast as Rasa's own serving layer on
the same model and actions, measured in the same run (bot/perfcheck.py explains the reference)."""

import pytest

from bot import perfcheck
from bot.stack import model_path


@pytest.mark.timeout(900)
def test_product_is_not_grossly_slower_than_rasas_own_serving_layer(stack, tmp_path):
    product, reference, table = perfcheck.compare(f"http://127.0.0.1:{stack.rasa_port}", model_path(),
                                                  stack.actions_port, tmp_path)
    print(table)
    assert reference.total == product.total > 0
    assert perfcheck.failures(product, reference) == [], table


def test_unanswered_turns_allow_for_a_person_having_the_conversation():
    from bot.bench import unanswered_turns

    user, bot = {"event": "user"}, {"event": "bot"}
    assert unanswered_turns([user, bot, user, bot]) == 0
    assert unanswered_turns([user, bot, user]) == 1
    assert unanswered_turns([user, user, bot]) == 1
    # handed over: messages while paused are acknowledged by the channel, not by a bot turn
    assert unanswered_turns([user, {"event": "pause"}, bot, user, user, {"event": "resume"}, user, bot]) == 0
    assert unanswered_turns([user, {"event": "pause"}, {"event": "resume"}, user]) == 1
