"""Text rules for matching and for provider text: title normalisation, alias splitting,
file-name parsing and summary sanitising. Pure functions, standard library only."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser

# --- character folding -----------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060\u02bc\u02b9"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
_UNIFY = str.maketrans(
    {**{c: "-" for c in _DASHES}, **{c: "'" for c in _SINGLE_QUOTES}, **{c: '"' for c in _DOUBLE_QUOTES}}
)
# Letters that are not "letter + accent" in Unicode and so survive NFD.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)
# A vulgar fraction or a superscript digit after a number or letter is a separate number:
# "33⅓" -> "33 1⁄3" and "Alien³" -> "Alien 3", not "331⁄3" and "Alien3".
_JOINED_NUMBER = re.compile("(?<=\\w)([\u00bc-\u00be\u2150-\u215e\u00b2\u00b3\u00b9\u2070-\u2079])")


def fold(text: str) -> str:
    """NFKC, dashes and quotes unified, case folded, accents stripped."""
    if text.isascii():
        return text.lower()
    text = _JOINED_NUMBER.sub(r" \1", text)
    text = unicodedata.normalize("NFKC", text).translate(_UNIFY).casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text.translate(_LETTERS))


# --- articles ----------------------------------------------------------------------------

# Definite and indefinite articles that library naming schemes move to the end of a title
# ("Misérables, Les"). Grouped by language for review; matching uses the union.
ARTICLES_BY_LANGUAGE: dict[str, frozenset[str]] = {
    "en": frozenset({"the", "a", "an"}),
    "fr": frozenset({"le", "la", "les", "l'", "un", "une"}),
    "de": frozenset({"der", "die", "das", "den", "dem", "des", "ein", "eine"}),
    "es": frozenset({"el", "la", "los", "las", "un", "una"}),
    "it": frozenset({"il", "lo", "la", "i", "gli", "le", "l'", "un", "uno", "una"}),
    "pt": frozenset({"o", "a", "os", "as", "um", "uma"}),
    "nl": frozenset({"de", "het", "een", "'t"}),
    "sv": frozenset({"en", "ett", "det"}),
    "da/no": frozenset({"en", "et", "ei", "det"}),
    "hu": frozenset({"a", "az", "egy"}),
}
ARTICLES = frozenset().union(*ARTICLES_BY_LANGUAGE.values())
# Articles that are also everyday English words stay at the front of a title when articles are
# dropped for comparison: "Die Hard", "As Good as It Gets", "Den of Thieves", "I Am Legend".
DROPPABLE_ARTICLES = ARTICLES - {"die", "as", "den", "i", "de"}
_ELIDED = ("l'",)  # written without a space before the noun: "L'Avventura"

_TRAILING_ARTICLE = re.compile(r"^(?P<head>.+?),\s*(?P<article>[^\s,:]+)\s*(?P<tail>(?:[:\-].*)?)$")


def move_article_to_front(title: str) -> str:
    """'Misérables, Les' -> 'Les Misérables'; 'Librarian, The: The Curse…' -> 'The Librarian: …'.

    Only a word that is an article in some language moves; 'Girl, Interrupted' stays."""
    if "," not in title:
        return title.strip()
    match = _TRAILING_ARTICLE.match(title.strip())
    if not match:
        return title.strip()
    article = match["article"]
    if fold(article) not in ARTICLES:
        return title.strip()
    head, tail = match["head"].strip(), match["tail"].strip()
    joiner = "" if fold(article) in _ELIDED else " "
    moved = f"{article}{joiner}{head}"
    if tail:
        moved = f"{moved}{'' if tail.startswith(':') else ' '}{tail}"
    return moved


# --- aliases -------------------------------------------------------------------------------

_AKA = re.compile(r"^\s*a\.?\s?k\.?\s?a\.?\s+", re.IGNORECASE)
_AKA_INLINE = re.compile(r"\s+a\.k\.a\.?\s+|\s+aka\s+", re.IGNORECASE)
_TRAILING_GROUP = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*$")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")


def split_aliases(title: str) -> tuple[str, tuple[str, ...]]:
    """Main title and its aliases: trailing '(…)'/'[…]' groups and 'a.k.a.' names.

    'Hidden (a.k.a. Cache) (Caché)' -> ('Hidden', ('Cache', 'Caché')). A leading group, as in
    '(500) Days of Summer', belongs to the title; a year in brackets ('Doctor Who (2005)') is
    not an alias and is dropped."""
    rest = title.strip()
    aliases: list[str] = []
    while rest.endswith((")", "]")):
        match = _TRAILING_GROUP.search(rest)
        if not match or not rest[: match.start()].strip():
            break
        inner = _AKA.sub("", match[1]).strip()
        if inner and not _YEAR.match(inner):
            aliases.insert(0, inner)
        rest = rest[: match.start()].rstrip()
    lowered = rest.lower()
    main, *inline = _AKA_INLINE.split(rest) if "aka" in lowered or "a.k.a" in lowered else (rest,)
    return main.strip(), tuple(a.strip() for a in (*inline, *aliases) if a.strip())


# --- numerals ------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
# Words that announce an instalment number: "Part II", "Teil 2", "Vol. 1". They are dropped
# before a number so that "Part II" = "Part 2" = "2".
_PART_WORDS = frozenset(
    {"part", "pt", "chapter", "vol", "volume", "teil", "partie", "parte", "deel", "chapitre", "kapitel"}
)
# Abbreviations written both ways in titles ("Dr. Dolittle" / "Doctor Dolittle").
_ABBREVIATIONS = {"dr": "doctor", "mr": "mister", "st": "saint", "vs": "versus", "jr": "junior", "sr": "senior"}
# Conjunctions read as "and". Only multi-letter words: single letters ("y", "e", "i") are also
# pronouns, initials and numerals, so mapping them would merge unrelated titles.
_CONJUNCTIONS = frozenset({"and", "und", "et", "en", "og", "och"})


def _roman(number: int) -> str:
    tens, units = divmod(number, 10)
    return "x" * tens + ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")[units]


_ROMAN_NUMERALS = {_roman(n): n for n in range(1, 40)}  # sequel numbers: i … xxxix
_SPECIAL_TOKENS = (_PART_WORDS | _CONJUNCTIONS | _ABBREVIATIONS.keys() | _ROMAN_NUMERALS.keys()
                   | _NUMBER_WORDS.keys())


def roman_to_int(token: str) -> int | None:
    """Value of a lower-case roman numeral from 1 to 39, else None."""
    return _ROMAN_NUMERALS.get(token)


def _rewrite_tokens(tokens: list[str], segment_ends: frozenset[int]) -> list[str]:
    out: list[str] = []
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        if token.isdecimal():
            out.append(str(int(token)))
        elif token not in _SPECIAL_TOKENS:
            out.append(token)
        elif token in _PART_WORDS and 0 < i < last and _announces_number(tokens, i + 1):
            continue  # "part 2" -> "2"
        elif (number := _as_number(token, after_part=i > 0 and tokens[i - 1] in _PART_WORDS, first=i == 0,
                                   segment_end=i in segment_ends)) is not None:
            out.append(str(number))
        elif token in _CONJUNCTIONS and 0 < i < last:
            out.append("and")
        else:
            out.append(_ABBREVIATIONS.get(token, token))
    return out


def _announces_number(tokens: list[str], start: int) -> bool:
    """Do part words from ``start`` on end in a number ("part two", "vol. part 2")?"""
    for token in tokens[start:]:
        if token not in _PART_WORDS:
            return _as_number(token, after_part=True) is not None
    return False


def _as_number(token: str, *, after_part: bool, first: bool = False, segment_end: bool = True) -> int | None:
    if token.isdecimal():
        return int(token)
    if after_part and token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    # A roman numeral in first place is almost always a word or a letter ("I, Robot", "V for
    # Vendetta", "XXX"); after a word it is a sequel number ("Rocky IV", "Episode VI - …").
    # A lone I, V or X is a numeral only where sequel numbers stand, at the end of the title
    # or of its main part ("Star Trek V: …"), not inside it ("The X Files", "Me and I Too").
    if (first and not after_part) or (len(token) == 1 and not (segment_end or after_part)):
        return None
    return _ROMAN_NUMERALS.get(token)


# --- normalisation -------------------------------------------------------------------------

_SUBTITLE_SEPARATOR = re.compile(r"\s*:\s*|\s+[-\u2013\u2014]\s+")
_ACRONYM = re.compile(r"\b(?:\w\.){2,}(?!\w)")  # "E.T.", "L.A."
_SPELLED = re.compile(r"\b[^\W\d_](?:[*/-][^\W\d_])+\b")  # "B*A*P*S", "S-W-A-T"
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=50_000)
def normalise(text: str) -> str:
    """Comparable form of one title: folded, trailing article moved to the front, acronyms
    joined, '&' read as 'and', numerals as digits, 'Part' words before numbers dropped,
    punctuation removed, whitespace collapsed. Idempotent."""
    text = move_article_to_front(fold(text))
    if "." in text or "," in text:
        text = _ACRONYM.sub(lambda m: m[0].replace(".", ""), text)  # "e.t." -> "et"
        text = _DIGIT_GROUPS.sub("", text)  # "20,000" -> "20000"
    if "*" in text or "-" in text or "/" in text:
        text = _SPELLED.sub(lambda m: re.sub(r"[*/-]", "", m[0]), text)  # "b*a*p*s" -> "baps"
    text = text.replace("&", " and ").replace("+", " and ")
    text = text.replace("'", "")  # "ocean's" -> "oceans", "l'avventura" -> "lavventura"
    tokens: list[str] = []
    segment_ends: set[int] = set()
    for segment in _SUBTITLE_SEPARATOR.split(text) if ":" in text or "-" in text else (text,):
        tokens += _WORD.findall(segment)
        segment_ends.add(len(tokens) - 1)
    return " ".join(_rewrite_tokens(tokens, frozenset(segment_ends)))


_POSSESSIVE_CREDIT = re.compile(r"^(?:[^\s']+\s+){0,3}[^\s']+['\u2019]s\s+(?=\S+\s+\S)")


# A title without brackets, "aka", subtitle separators or a possessive has one form, no parts.
_NOT_PLAIN = re.compile(r"[(\[:\-\u2013\u2014]|aka|a\.k\.a|['\u2019]s\s", re.IGNORECASE)


@lru_cache(maxsize=50_000)
def title_forms(title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The normalised full forms and partial forms of a title (see ``title_variants`` and
    ``title_parts``), computed together."""
    if not _NOT_PLAIN.search(title):
        form = normalise(title)
        return ((form,) if form else ()), ()
    main, aliases = split_aliases(title)
    pieces = [move_article_to_front(piece) for piece in (main, *aliases)]
    full_forms = [normalise(piece) for piece in pieces]
    if aliases:
        full_forms.append(normalise(" ".join(pieces)))
    full = tuple(dict.fromkeys(f for f in full_forms if f))
    parts: list[str] = []
    for piece in pieces:
        has_separator = ":" in piece or "-" in piece or "\u2013" in piece or "\u2014" in piece
        sections = _SUBTITLE_SEPARATOR.split(piece) if has_separator else [piece]
        if len(sections) > 1:
            parts += [sections[0], sections[-1], piece[len(sections[0]):].lstrip(" :-\u2013\u2014")]
        credit = _POSSESSIVE_CREDIT.match(piece) if "s " in piece else None
        if credit:
            parts.append(piece[credit.end():])
    partial = (normalise(part) for part in parts)
    return full, tuple(dict.fromkeys(f for f in partial if f not in full and _is_substantial(f)))


def title_variants(title: str) -> tuple[str, ...]:
    """Normalised forms a title can be known by: the main title, each alias, and the whole
    text with brackets dropped. Main title first, no duplicates, no empty strings."""
    return title_forms(title)[0]


def title_parts(title: str) -> tuple[str, ...]:
    """Normalised partial forms of a title, for titles that are also known by a part: the
    main title before a subtitle ('Interview with the Vampire: The Vampire Chronicles'), the
    subtitle after a series name ('Star Wars: Episode VI - Return of the Jedi'), the title
    without a possessive credit ("Wes Craven's New Nightmare"). Full forms are excluded."""
    return title_forms(title)[1]


def _is_substantial(form: str) -> bool:
    """A part worth matching on its own: holds a number or a word of three letters or more."""
    return any(len(token) > 2 or token.isdecimal() for token in form.split())


def drop_leading_article(normalised: str) -> str:
    """'the american president' -> 'american president' (a normalised title); 'die hard'
    keeps its first word (see DROPPABLE_ARTICLES)."""
    head, _, rest = normalised.partition(" ")
    return rest if rest and head in DROPPABLE_ARTICLES else normalised


# --- file names ----------------------------------------------------------------------------

_VIDEO_EXTENSIONS = frozenset(
    {"mkv", "mp4", "m4v", "avi", "mov", "wmv", "mpg", "mpeg", "ts", "m2ts", "webm", "flv", "iso", "divx", "ogm"}
)
_RELEASE_TAGS = re.compile(
    r"^(?:\d{3,4}[pi]|[248]k|uhd|hdr(?:10)?|dv|x26[45]|h26[45]|hevc|avc|xvid|divx|bluray|blu|bdrip|"
    r"brrip|bdremux|remux|dvdrip|dvdscr|dvd|dvd5|dvd9|web|webrip|webdl|web-dl|hdtv|hdrip|hdcam|cam|ts|"
    r"aac|ac3|dts|dd5|ddp5|truehd|atmos|flac|mp3|10bit|8bit|proper|repack|extended|unrated|remastered|"
    r"internal|limited|multi|subbed|dubbed|yify|yts|rarbg)$",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[._]+")


def _split_extension(name: str) -> tuple[str, str]:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in _VIDEO_EXTENSIONS:
        return stem, extension.lower()
    return name, ""


def looks_like_filename(title: str) -> bool:
    """True for titles that are really file or release names ('nosferatu.1922.1080p.mkv')."""
    stem, extension = _split_extension(title)
    if extension:
        return True
    if " " in stem.strip():
        return False
    words = [w for w in _SEPARATORS.split(stem) if w]
    return len(words) > 2 and any(_RELEASE_TAGS.match(w) or _YEAR.match(w) for w in words)


def title_from_filename(name: str) -> tuple[str, int | None]:
    """Title and year of a file or release name: 'nosferatu.1922.1080p.bluray.x264' ->
    ('nosferatu', 1922). The year is the last year-like word after the first word."""
    stem, _ = _split_extension(name)
    words = [w for w in re.split(r"[\s._\[\]()]+", stem) if w]
    year_at = next((i for i in range(len(words) - 1, 0, -1) if _YEAR.match(words[i])), None)
    cut = year_at
    if cut is None:
        cut = next((i for i, w in enumerate(words) if i and _RELEASE_TAGS.match(w)), len(words))
    title = " ".join(words[:cut]).strip(" -")
    year = int(words[year_at]) if year_at is not None else None
    return title, year


# --- provider text -------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "blockquote", "ul", "ol", "table", "h1", "h2", "h3", "h4",
     "h5", "h6", "pre", "header", "footer"}
)
_LINE_TAGS = frozenset({"br", "li", "tr", "dt", "dd"})
_SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object", "head"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")


class _TextExtractor(HTMLParser):
    """Collects text; block tags become paragraph breaks, line tags line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.saw_markup = False
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.saw_markup = True
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.saw_markup = True
        if tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.saw_markup = True
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(_CONTROL.sub("", data).replace("\n", _SOURCE_NEWLINE))


_SOURCE_NEWLINE = "\x1f"  # a line break written in the source text; stripped from data above


def sanitise_summary(text: str) -> str:
    """Plain text from provider text that may hold HTML: tags stripped (paragraphs kept as
    blank lines), entities unescaped, control characters removed, whitespace normalised.
    Line breaks in the source count only when the text has no markup."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text or "&" in text:
        joined = _text_of_markup(text)
    else:  # no tag and no entity: the parser would pass the text on as it is, in one piece
        joined = _CONTROL.sub("", text)
        if "\n" not in joined:
            return " ".join(joined.split())
    return _paragraphs(joined)


def _text_of_markup(text: str) -> str:
    """The text of possible HTML, blocks as blank lines, source line breaks kept when there
    is no markup (as spaces when there is)."""
    extractor = _TextExtractor()
    extractor.feed(text)
    extractor.close()
    source_break = " " if extractor.saw_markup else "\n"
    return "".join(extractor.parts).replace(_SOURCE_NEWLINE, source_break)


def _paragraphs(joined: str) -> str:
    """Whitespace normalised in each line, empty lines dropped, paragraphs one blank line apart."""
    paragraphs = []
    for block in re.split(r"\n[^\S\n]*\n", joined):
        lines = (" ".join(line.split()) for line in block.split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)
