"""The one detector of personal data every door asks: what it finds, what it must not, and how it masks."""

from __future__ import annotations

import pytest

from build_scripts.errors import Problem, quote
from build_scripts.personal_data import find, mask, mask_within, nhs_check_digit_valid
from build_scripts.publish.privacy import personal_data

EMAIL, PHONE, POSTCODE, NI = "an e-mail address", "a UK phone number", "a UK postcode", "a National Insurance number"
NHS = "an NHS number"


@pytest.mark.parametrize("text, kind", [
    ("write to jane.doe@example.com", EMAIL),
    ("write to zoë.brontë@exämple.co.uk", EMAIL),
    ("write to 李雷@例子.广告", EMAIL),
    ("write to jane&#64;example.com", EMAIL),
    ("write to jane&#x40;example.com", EMAIL),
    ("write to jane&commat;example.com", EMAIL),
    ('{"text": "jane\\u0040example.com"}', EMAIL),
    ("ring 07700 900123", PHONE),
    ("ring 07700900123", PHONE),
    ("ring 07700-900-123", PHONE),
    ("ring 07700.900.123", PHONE),
    ("ring +44 7700 900123", PHONE),
    ("ring +447700900123", PHONE),
    ("ring 0044 7700 900123", PHONE),
    ("ring 00447700900123", PHONE),
    ("ring +44 (0)20 7946 0958", PHONE),
    ("ring +44 20 7946 0958", PHONE),
    ("ring (0161) 496 0000", PHONE),
    ("ring 020-7946-0958", PHONE),
    ("ring 020.7946.0958", PHONE),
    ("ring 0800 123 4567", PHONE),
    ("ring 0808 800 5000", PHONE),
    ("ring 0800 123456", PHONE),
    ("ring 0500 123456", PHONE),
    ("ring 07700 900123.", PHONE),
    ("at SW1A 1AA", POSTCODE),
    ("at sw1a 1aa", POSTCODE),
    ("at SW1A1AA", POSTCODE),
    ("at sw1a1aa", POSTCODE),
    ("at Sw1A 1aA", POSTCODE),
    ("at M1 1AE", POSTCODE),
    ("at m11ae", POSTCODE),
    ("at B33 8TH", POSTCODE),
    ("at CR2 6XH", POSTCODE),
    ("at DN55 1PT.", POSTCODE),
    ("NI AB 12 34 56 C", NI),
    ("NI AB123456C", NI),
    ("NI ab123456c", NI),
    ("NI AB-12-34-56-C", NI),
    ("NI ab 12 34 56 c", NI),
])
def test_each_written_form_of_personal_data_is_found(text, kind):
    assert [k for k, _ in personal_data(text)] == [kind]


@pytest.mark.parametrize("text, kind", [
    ("ring ０７７００９００１２３", PHONE),  # full-width digits read as digits (NFKC)
    ("at Ｓｗ１Ａ １ＡＡ", POSTCODE),
    ("write to jo＠example.org", EMAIL),
    ("NI ＡＢ１２３４５６Ｃ", NI),
    ("ring 07700\u200b900123", PHONE),  # a zero-width space hides nothing
    ("at sw1a\u200b1aa", POSTCODE),
    ("at SW1A\u00ad1AA", POSTCODE),  # nor does a soft hyphen
    ("write to jo\u2060@example.org", EMAIL),
    ("ring 44 7700 900123", PHONE),  # international without the +
    ("ring 447700900123", PHONE),
    ("NI AB.12.34.56.C", NI),
    ("ring 0 7 7 0 0 9 0 0 1 2 3", PHONE),  # spelt out digit by digit
    ("write to jo [at] example [dot] org", EMAIL),
    ("write to jo(at)example(dot)org", EMAIL),
    ("write to jo [at] example.org", EMAIL),
    ("write to jo at example dot org", EMAIL),
    ("write to jo%40example.org", EMAIL),
    ('write to "jo smith"@example.org', EMAIL),
    ("NHS number 943 476 5919", NHS),
    ("NHS number 943-476-5919", NHS),
    ("NHS number 9434765919", NHS),
    ("NHS number ９４３ ４７６ ５９１９", NHS),
])
def test_disguised_written_forms_are_found(text, kind):
    assert [k for k, _ in personal_data(text)] == [kind]


@pytest.mark.parametrize("digits, valid", [("9434765919", True), ("4010232137", True), ("9434765918", False),
                                           ("4010232138", False), ("0000000000", False), ("123456789", False)])
def test_an_nhs_number_needs_its_check_digit(digits, valid):
    assert nhs_check_digit_valid(digits) is valid


def test_a_disguised_value_is_reported_and_masked_as_written_where_it_was_written():
    text = "line one\nring ０７７００\u200b９００１２３ or visit sw1a\u200b1aa today"
    [phone, postcode] = find(text)
    assert phone.text == "０７７００\u200b９００１２３" and text[phone.start:phone.end] == phone.text
    assert phone.plain == "07700900123" and postcode.text == "sw1a\u200b1aa"
    assert mask_within(text) == "line one\nring ０７***\u200b****２３ or visit sw**\u200b*** today"


@pytest.mark.parametrize("text", [
    "0.4100946372239748,0.37,634", "0.5412345678901234", "mini-2020.support.yes,0.07123456789,0.0012345678901",
    "2015-10-05 09:12:33", "05/10/2015", "1,642 respondents", "1,234", "12,345,678", "10245871311",
    "R_1a2B3c4D5e6F7g8", "width=560 height=87", "Q1 2015", "GB 12 34 56 A", "41%", "2015 to 2016",
    "fill:#e1f2ab", 'fill="#a1b2cd"', "#1d70b8", "version 1.2.3", "v0.12.3", "mkdocs-material 9.5.39",
    "M0 10.5L107.12345 20.5", "translate(0.5,0.5)", "logo@2x.png", "@media screen", "ffe1f2ab3c",
    "0\n7946 0958 123",  # files are searched whole, but a number never runs across lines
    "0&#10;7946 0958 123",  # nor across an escaped line break
    "2 to 5 years", "18 to 24", "65 and over",
    # Dates are never phone numbers, nor lend their digits to one.
    "1975-05-06 1980-01-02", "1980-01-02 1975-05-06", '"1975-05-06 1980-01-02"', "05/10/2015 01/02/2016",
    "01.02.2015 03.04.2016", "2015-10-05T09:12:33+00:00 2016-01-02T03:04:05Z", "02/03/2015 0958",
    "5.10.15 0161 49", "2015/10/05 07700 9",
    # Nor are statistics, ticks, paths, versions or ids, or a 10-digit number without a valid NHS check digit.
    "0.41009463722397477", "1234567890", "943 476 5918", "0 1 2 3 4 5 6 7 8 9 10", "0 1 2 3 4 5 6 7 8 9",
    "M0,0L12.5,33.75", "M 0 10 L 20 30 L 40 50 L 60 70", "0 7 7 0 0 9 0 0 1 2 3 4", "v1.2.3.4.5.6",
    "find us at example.org", "meet at noon", "2015.10.05", "#ffe1f2", "rgb(10, 20, 30)",
    "１９７５-０５-０６ １９８０-０１-０２",
])
def test_figures_dates_colours_versions_and_ids_are_not_mistaken_for_personal_data(text):
    assert personal_data(text) == []


@pytest.mark.parametrize("value, masked", [
    ("07700 900123", "07*** ****23"),
    ("jane.doe@example.com", "ja**.***@*******.*om"),
    ("sw1a 1aa", "sw** ***"),
    ("AB123456C", "AB*****6C"),
])
def test_a_masked_value_keeps_only_a_few_characters(value, masked):
    assert mask(value) == masked


def test_masking_within_a_text_leaves_the_rest_readable():
    assert mask_within("Call 07700 900123 or visit SW1A 1AA.") == "Call 07*** ****23 or visit SW** ***."


def test_a_problem_shows_a_short_prefix_of_a_long_value():
    comment = "The social worker who came round was rude to my whole family and never came back"
    text = Problem("surveys/x/responses.csv", "column 'q', row 2", "an answer that is not a declared option",
                   "add it", comment).describe()
    assert "(found: 'The social worker who came rou…')" in text
    assert "rude" not in text


def test_a_problem_masks_personal_data_in_its_value():
    text = Problem("f.csv", "row 2", "an answer that is not a declared option", "add it",
                   "ring me 07700 900123").describe()
    assert "(found: 'ring me 07*** ****23')" in text and "900123" not in text


def test_quote_is_what_messages_put_around_a_value():
    assert quote("Maybe") == "'Maybe'"
    assert quote("x" * 40) == "'" + "x" * 30 + "…'"
    assert quote("jo@example.org") == "'jo@*******.*rg'"
