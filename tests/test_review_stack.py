"""End to end: newcomers talk to the real bot (Rasa, actions, REST channel), and an admin finds
those conversations on the review pages, redacted, right to left, with intents and actions."""

import time
import uuid

from django.urls import reverse

from tests.test_review import fast_staff


def test_admin_finds_a_real_arabic_conversation_by_filter_and_search(chat):
    _user, admin = fast_staff("admin")
    mark = uuid.uuid4().hex[:6]
    sender = chat.new_sender()
    chat.send(sender, "كيف اسجل ابني في المدرسة في فاربيري")
    chat.send(sender, f"رقمي 0701234567 <script>alert(1)</script> {mark}")

    # Another process of the stack (the hand-off ticker) may be indexing the same events at this
    # moment; the list shows them on the next load at the latest, as staff would see it.
    deadline = time.monotonic() + 5
    while True:
        found = admin.get(reverse("review-list"), {"q": "المدرسه فاربيري", "language": "ar", "municipality": "1383",
                                                    "topic": "school_enrol"})
        listed = {c.sender_id for c in found.context["page"].object_list}
        if sender in listed or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert sender in listed

    page = admin.get(reverse("review-conversation", args=[sender])).content.decode()
    assert 'dir="rtl" lang="ar">كيف اسجل ابني في المدرسة في فاربيري</p>' in page
    assert "school_enrol" in page and "action_answer_topic" in page
    assert "0701234567" not in page and "[telefonnummer]" in page  # redacted before Rasa stored it
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
