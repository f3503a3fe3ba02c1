"""``sanitise_summary`` skips the HTML parser for text with no ``<`` and no ``&`` (most
provider overviews) and gives exactly what the parser gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curator.domain import text as text_module
from curator.domain.text import sanitise_summary


def parsed(raw: str) -> str:
    """The parser's way, for every text: the reference for the fast path."""
    unified = raw.replace("\r\n", "\n").replace("\r", "\n")
    return text_module._paragraphs(text_module._text_of_markup(unified))


#: Whitespace, line breaks and control characters the two ways could treat differently.
_TRICKY = [*"\n\r \t\x00\x07\x0b\x0c\x1c\x1f\x7f\x85\xa0\u2028\u2029\u200b\u3000\ufeff", "\r\n", "\n \n"]

CORPUS = [
    "",
    "   ",
    "A plain overview, the usual case.",
    "Two lines\nof plain text",
    "Paragraph one.\n\nParagraph two.\n \n\nThree.",
    "Windows\r\nline\r\n\r\nbreaks and an old Mac\rone",
    "Unit\x1fseparator and \x1f\x1f source-newline stand-ins",
    "Tabs\tand\u00a0no-break\u3000spaces, \u2028line and \u2029paragraph separators",
    "Zero\u200bwidth\ufeff and \x00control\x07 characters\x85",
    "  leading and trailing  \n  whitespace  ",
    "Café, naïve, Ærø, 日本語のあらすじ。",
]


@pytest.mark.parametrize("raw", CORPUS)
def test_plain_text_is_sanitised_as_the_parser_would(raw: str) -> None:
    assert sanitise_summary(raw) == parsed(raw)


def texts(pieces: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.lists(pieces, max_size=max_size).map("".join)


@settings(max_examples=400)
@given(texts(st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(_TRICKY)), 80))
def test_any_text_is_sanitised_as_the_parser_would(raw: str) -> None:
    assert sanitise_summary(raw) == parsed(raw)


@settings(max_examples=200)
@given(texts(st.sampled_from([*_TRICKY, "a", "b", "<", ">", "&", ";", "p", "/", "#", "amp", "<p>", "&amp;"]), 40))
def test_text_near_markup_is_sanitised_as_the_parser_would(raw: str) -> None:
    assert sanitise_summary(raw) == parsed(raw)


def test_plain_text_does_not_start_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoParser:
        def __init__(self) -> None:
            raise AssertionError("the HTML parser ran for plain text")

    monkeypatch.setattr(text_module, "_TextExtractor", NoParser)
    assert sanitise_summary("Plain\r\ntext,  two\n\nparagraphs\x07") == "Plain\ntext, two\n\nparagraphs"
    with pytest.raises(AssertionError):
        sanitise_summary("<p>markup</p>")
    with pytest.raises(AssertionError):
        sanitise_summary("Tom &amp; Jerry")
