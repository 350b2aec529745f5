"""The corrected national answers (content review 2026-12, issue 13), asked of the running bot
the way newcomers write, in each language: the answer is the corrected one, in their language.

These fail on the texts before the review: "you can start gymnasiet until 20" for a 17-year-old
asylum seeker, no three-year sfi limit, a lodger told nothing, a parent of a six-year-old
writing الصف التمهيدي / صنف آمادگی sent to the answer about förberedelseklass."""

import pytest

from tests.helpers import assert_language, text_of

pytestmark = pytest.mark.usefixtures("stack")

NACKA = "0182"


def ask(chat, language, message, municipality=NACKA):
    sender = chat.new_sender()
    replies = chat.send(sender, message, {"language": language, "municipality": municipality})
    assert_language(replies, language)
    topic = chat.tracker(sender)["slots"]["topic"]
    return text_of(replies), topic


@pytest.mark.parametrize("language, message, rule", [
    ("sv", "jag är 17 år och asylsökande, kan jag börja på gymnasiet", "innan du fyller 18"),
    ("ar", "عمري 17 سنة وطالب لجوء، بقدر ادخل الثانوية؟", "قبل أن تبلغ ١٨ سنة"),
    ("fa_AF", "۱۷ ساله هستم و پناهجو، میتانم ده لیسه درس بخوانم؟", "پیش از ۱۸ سالگی"),
])
def test_a_17_year_old_asylum_seeker_asking_about_gymnasiet_gets_the_18_rule(chat, language, message, rule):
    text, topic = ask(chat, language, message)
    assert topic == "school_upper_secondary"
    assert rule in text, text


@pytest.mark.parametrize("language, message, facts", [
    ("sv", "min son fyller 6 i år, måste han börja i förskoleklass?", ["året före årskurs 1", "obligatorisk"]),
    ("ar", "ابني رح يصير عمره ست سنين، لازم يروح الصف التمهيدي؟", ["السنة التي تسبق الصف الأول", "إلزامي"]),
    ("fa_AF", "دخترم امسال شش ساله میشه، صنف آمادگی اجباری اس؟", ["سال پیش از صنف اول", "اجباری"]),
])
def test_a_parent_of_a_six_year_old_gets_förskoleklass_not_the_preparatory_class(chat, language, message, facts):
    text, topic = ask(chat, language, message)
    assert topic == "school_preschool_class"
    assert all(fact in text for fact in facts), text


@pytest.mark.parametrize("language, facts", [
    ("sv", ["tre år", "1 januari 2026", "Asylsökande har inte rätt till sfi", "annan kommun", "fylla 16 i år"]),
    ("ar", ["ثلاث سنوات", "٢٠٢٦", "طالبو اللجوء", "بلدية أخرى", "تبلغ ١٦ سنة هذا العام"]),
    ("fa_AF", ["سه سال", "۲۰۲۶", "پناهجویان", "کمون دیگری", "امسال ۱۶ ساله شوید"]),
])
def test_sfi_requirements_give_the_three_year_limit_and_no_sfi_for_asylum_seekers(chat, language, facts):
    text, _ = ask(chat, language, "/sfi_requirements")
    assert all(fact in text for fact in facts), text


@pytest.mark.parametrize("language, facts", [
    ("sv", ["folkbokförd på adressen", "inneboende", "preliminärt", "betala tillbaka"]),
    ("ar", ["folkbokförd", "inneboende", "مؤقت (preliminärt)", "إرجاع المال"]),
    ("fa_AF", ["folkbokförd", "inneboende", "موقتی (preliminärt)", "پس بدهید"]),
])
def test_housing_allowance_says_folkbokförd_at_the_address_no_lodgers_and_preliminary(chat, language, facts):
    text, _ = ask(chat, language, "/housing_allowance")
    assert all(fact in text for fact in facts), text
    assert "مقدماتی" not in text and "أولي" not in text  # not "introductory" / "initial"


@pytest.mark.parametrize("language, duty", [
    ("sv", "Kommunen måste ordna undervisningen om minst fem elever i kommunen"),
    ("ar", "يجب على البلدية تنظيم هذا التعليم"),
    ("fa_AF", "کمون مکلف است"),
])
def test_mother_tongue_teaching_is_the_municipalitys_duty(chat, language, duty):
    text, _ = ask(chat, language, "/school_mother_tongue")
    assert duty in text, text


@pytest.mark.parametrize("language, offer", [
    ("sv", "Sedan 1 juli 2023 ska kommunen kontakta er"),
    ("ar", "منذ ١ تموز/يوليو ٢٠٢٣"),
    ("fa_AF", "از ۱ جولای ۲۰۲۳"),
])
def test_preschool_says_children_new_in_sweden_are_offered_a_place_from_3(chat, language, offer):
    text, _ = ask(chat, language, "/school_preschool")
    assert offer in text, text


@pytest.mark.parametrize("language, term, wrong", [
    ("ar", "صف استقبال التلاميذ القادمين حديثاً (förberedelseklass)", "الصف التحضيري (förberedelseklass)"),
    ("fa_AF", "صنف مقدماتی برای شاگردان تازه‌وارد (förberedelseklass)", "صنف آمادگی (förberedelseklass)"),
])
def test_förberedelseklass_has_its_own_term_in_arabic_and_dari(chat, language, term, wrong):
    text, _ = ask(chat, language, "/school_preparatory_class")
    assert term in text and wrong not in text, text


def test_arabic_settlement_answer_does_not_say_tawteen(chat):
    text, _ = ask(chat, "ar", "/housing_settlement")
    assert "التوطين" not in text and "قانون إسكان القادمين الجدد (bosättningslagen" in text
