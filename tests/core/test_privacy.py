"""An ID number or phone never survives masking, however it was spelled."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.privacy import mask_personal, mask_personal_text

WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.sampled_from(["330784", "110101", "440305", "510104"]))
    year = draw(st.integers(1900, 2025))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    serial = draw(st.integers(0, 999))
    check = draw(st.sampled_from("0123456789X"))
    return f"{region}{year}{month:02d}{day:02d}{serial:03d}{check}"


def percent_all(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode("utf-8"))


@st.composite
def spellings(draw, number: str) -> str:
    """One way a number reaches a URL, a form or a pasted text."""
    kind = draw(st.sampled_from(["plain", "lower_x", "percent_all", "percent_some", "percent_lower", "twice",
                                 "wide", "wide_percent"]))
    if kind == "plain":
        return number
    if kind == "lower_x":
        return number.lower()
    if kind == "percent_all":
        return percent_all(number)
    if kind == "percent_some":
        picks = draw(st.lists(st.booleans(), min_size=len(number), max_size=len(number)))
        return "".join(percent_all(c) if p else c for c, p in zip(number, picks, strict=True))
    if kind == "percent_lower":
        return percent_all(number).lower()
    if kind == "twice":
        return quote(percent_all(number), safe="")
    if kind == "wide":
        return number.translate(WIDE)
    return quote(number.translate(WIDE), safe="")


def readable(text: str) -> str:
    """Everything a reader could undo: percent-encoding (repeatedly) and full-width digits."""
    for _ in range(4):
        text = unquote(text)
    return unicodedata.normalize("NFKC", text).upper()


@settings(deadline=None, max_examples=300)
@given(data=st.data(), number=id_numbers(),
       before=st.sampled_from(["/api/v1/workers?id_number=", "/api/v1/workers/", "身份证号", "id=", " ", ""]),
       after=st.sampled_from(["", "&page=1", "/reveal-id-number", "的张三", " HTTP/1.1", "，月收入2800元"]))
def test_an_id_number_in_any_spelling_is_masked_to_region_and_last_four(data, number, before, after):
    spelled = data.draw(spellings(number))
    masked = mask_personal_text(before + spelled + after)
    assert number not in readable(masked)
    assert number[:6] + "********" + number[-4:] in readable(masked)


@settings(deadline=None, max_examples=200)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_text_that_holds_no_long_number_is_left_exactly_as_it_was(text):
    if any(ch.isdigit() for ch in unicodedata.normalize("NFKC", unquote(unquote(text)))):
        return
    assert mask_personal_text(text) == text


def test_a_mobile_number_percent_encoded_in_a_query_is_masked():
    assert mask_personal_text("/api/v1/workers?phone=%31%33%38%30%30%31%33%38%30%30%30") == \
        "/api/v1/workers?phone=138****8000"


def test_ordinary_url_escapes_and_figures_are_left_alone():
    for text in ["/a%20b?c=2800&d=%E5%85%83", "2023-03-01 合计 2800.00 元", "scope=region%3A330784&period=2023"]:
        assert mask_personal_text(text) == text


def test_masking_goes_through_every_string_of_a_json_value():
    number = "33078419800101001X"
    value = {"figures": [{"text": f"工人{number}人", "value": number}], number: 1, "n": 3}
    assert mask_personal(value) == {"figures": [{"text": "工人330784********001X人", "value": "330784********001X"}],
                                    "330784********001X": 1, "n": 3}
