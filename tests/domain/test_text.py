"""Normalisation, alias splitting, file names and summary sanitising, rule by rule."""

from __future__ import annotations

import pytest

from curator.domain.text import (
    drop_leading_article,
    fold,
    looks_like_filename,
    move_article_to_front,
    normalise,
    roman_to_int,
    sanitise_summary,
    split_aliases,
    title_from_filename,
    title_parts,
    title_variants,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Amélie", "amelie"),  # accents
        ("Ça tourne à Manhattan", "ca tourne a manhattan"),
        ("Straße", "strasse"),  # casefold
        ("ＡＫＩＲＡ", "akira"),  # NFKC: full-width letters
        ("ﬁnding", "finding"),  # NFKC: ligature
        ("Smørrebrød", "smorrebrod"),  # letters without a decomposition
        ("Kærlighed", "kaerlighed"),
        ("Łódź", "lodz"),
        ("Spider–Man — Homecoming", "spider-man - homecoming"),  # dashes unified
        ("Schindler’s List", "schindler's list"),  # quotes unified
        ("«Quoted»", '"quoted"'),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("title", "moved"),
    [
        ("American President, The", "The American President"),  # en
        ("Misérables, Les", "Les Misérables"),  # fr
        ("Auberge espagnole, L'", "L'Auberge espagnole"),  # fr, elided
        ("Haus, Das", "Das Haus"),  # de
        ("Blechtrommel, Die", "Die Blechtrommel"),
        ("Dolce Vita, La", "La Dolce Vita"),  # it
        ("Vitelloni, I", "I Vitelloni"),
        ("Laberinto del fauno, El", "El Laberinto del fauno"),  # es
        ("Ilha, A", "A Ilha"),  # pt
        ("Tweeling, De", "De Tweeling"),  # nl
        ("Sjunde inseglet, Det", "Det Sjunde inseglet"),  # sv
        ("Fistful of Dollars, A", "A Fistful of Dollars"),
        ("Librarian, The: The Curse of the Judas Chalice", "The Librarian: The Curse of the Judas Chalice"),
        ("Good, the Bad, the Weird, The", "The Good, the Bad, the Weird"),  # only the last one
        ("Girl, Interrupted", "Girl, Interrupted"),  # not an article: stays
        ("Bright Lights, Big City", "Bright Lights, Big City"),
        ("The Matrix", "The Matrix"),
    ],
)
def test_move_article_to_front(title: str, moved: str) -> None:
    assert move_article_to_front(title) == moved


@pytest.mark.parametrize(
    ("library", "provider"),
    [
        ("American President, The", "The American President"),
        ("Misérables, Les", "Les Misérables"),
        ("Haus, Das", "Das Haus"),
        ("Dolce Vita, La", "La Dolce Vita"),
        ("Avventura, L'", "L'Avventura"),
        ("Rage: Carrie 2, The", "The Rage: Carrie 2"),
        ("Karate Kid, Part II, The", "The Karate Kid, Part II"),
    ],
)
def test_moved_articles_normalise_like_the_provider_title(library: str, provider: str) -> None:
    assert normalise(library) == normalise(provider)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  The   Matrix  ", "the matrix"),  # whitespace collapsed
        ("Who Framed Roger Rabbit?!", "who framed roger rabbit"),  # punctuation removed
        ("Ocean's Eleven", "oceans eleven"),  # apostrophes joined
        ("Spider-Man", "spider man"),
        ("Face/Off", "face off"),
        ("Harold & Kumar", "harold and kumar"),  # & is "and"
        ("Romeo + Juliet", "romeo and juliet"),
        ("Jules et Jim", "jules and jim"),  # conjunctions between words
        ("Hanni und Nanni", "hanni and nanni"),
        ("Pane e cioccolata", "pane e cioccolata"),  # single letters are not conjunctions
        ("E.T. the Extra-Terrestrial", "et the extra terrestrial"),  # acronym joined
        ("B*A*P*S", "baps"),  # initialism joined
        ("L.A. Confidential", "la confidential"),
        ("20,000 Leagues Under the Sea", "20000 leagues under the sea"),  # digit groups
        ("Dr. Dolittle", "doctor dolittle"),  # abbreviations
        ("Mr. Deeds", "mister deeds"),
        ("Alien³", "alien 3"),  # superscripts are numbers
        ("The Naked Gun 33⅓", "the naked gun 33 1 3"),
        ("8 1/2", "8 1 2"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_normalise(raw: str, normalised: str) -> None:
    assert normalise(raw) == normalised


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Rocky IV", "Rocky 4"),
        ("Star Trek V: The Final Frontier", "Star Trek 5: The Final Frontier"),
        ("The Godfather: Part II", "The Godfather 2"),
        ("Fright Night Part II", "Fright Night Part 2"),
        ("Breaking Dawn – Part 1", "Breaking Dawn Part One"),
        ("Kill Bill: Vol. 1", "Kill Bill: Volume 1"),
        ("Harry Potter and the Deathly Hallows: Part 2", "Harry Potter and the Deathly Hallows 2"),
        ("Henry V", "Henry 5"),
        ("Star Wars: Episode VI - Return of the Jedi", "Star Wars: Episode 6 - Return of the Jedi"),
        ("Hills Have Eyes II, The", "The Hills Have Eyes 2"),
        ("The Naked Gun 33 1/3: The Final Insult", "The Naked Gun 33⅓: The Final Insult"),
    ],
)
def test_numerals_and_parts_normalise_alike(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bloodsport III", "Bloodsport II"),
        ("Breaking Dawn – Part 1", "Breaking Dawn – Part 2"),
        ("I, Robot", "1 Robot"),  # a first-word "I" is a pronoun
        ("The X Files", "The 10 Files"),  # a lone X inside a title is a letter
        ("V for Vendetta", "5 for Vendetta"),
    ],
)
def test_numerals_that_must_stay_apart(a: str, b: str) -> None:
    assert normalise(a) != normalise(b)


@pytest.mark.parametrize(
    ("token", "value"),
    [("i", 1), ("iv", 4), ("ix", 9), ("xiv", 14), ("xxxix", 39), ("iiii", None), ("mix", None), ("", None)],
)
def test_roman_to_int(token: str, value: int | None) -> None:
    assert roman_to_int(token) == value


@pytest.mark.parametrize(
    ("title", "main", "aliases"),
    [
        ("Women on the Verge of a Nervous Breakdown (Mujeres al borde de un ataque de nervios)",
         "Women on the Verge of a Nervous Breakdown", ("Mujeres al borde de un ataque de nervios",)),
        ("Hidden (a.k.a. Cache) (Caché)", "Hidden", ("Cache", "Caché")),
        ("Chasing Papi (a.k.a. Papi Chulo)", "Chasing Papi", ("Papi Chulo",)),
        ("European Vacation (aka National Lampoon's European Vacation)", "European Vacation",
         ("National Lampoon's European Vacation",)),
        ("Léon a.k.a. The Professional", "Léon", ("The Professional",)),
        ("Seven [Se7en]", "Seven", ("Se7en",)),
        ("(500) Days of Summer", "(500) Days of Summer", ()),  # a leading group is the title
        ("Doctor Who (2005)", "Doctor Who", ()),  # a year is not an alias
        ("The Office (US)", "The Office", ("US",)),
        ("The Matrix", "The Matrix", ()),
    ],
)
def test_split_aliases(title: str, main: str, aliases: tuple[str, ...]) -> None:
    assert split_aliases(title) == (main, aliases)


def test_title_variants_hold_main_title_aliases_and_the_whole() -> None:
    variants = title_variants("Dream of Light (a.k.a. Quince Tree Sun, The) (Sol del membrillo, El)")
    assert variants[0] == "dream of light"
    assert "the quince tree sun" in variants
    assert "el sol del membrillo" in variants
    assert len(variants) == len(set(variants)) == 4


@pytest.mark.parametrize(
    ("title", "part"),
    [
        ("Interview with the Vampire: The Vampire Chronicles", "interview with the vampire"),
        ("Star Wars: Episode VI - Return of the Jedi", "return of the jedi"),
        ("Star Wars: Episode IV - A New Hope", "star wars"),
        ("Wes Craven's New Nightmare", "new nightmare"),
        ("Cheech and Chong's Up in Smoke", "up in smoke"),
    ],
)
def test_title_parts(title: str, part: str) -> None:
    assert part in title_parts(title)
    assert part not in title_variants(title)


def test_title_parts_skip_trivial_pieces_and_plain_titles() -> None:
    assert title_parts("Birdman: Or (The Unexpected Virtue of Ignorance)") == ("birdman",)
    assert title_parts("Schindler's List") == ()
    assert title_parts("The Matrix") == ()


@pytest.mark.parametrize(
    ("normalised", "dropped"),
    [
        ("the american president", "american president"),
        ("les miserables", "miserables"),
        ("das boot", "boot"),
        ("die hard", "die hard"),  # also an English word: kept
        ("as good as it gets", "as good as it gets"),
        ("the", "the"),  # nothing left to keep
    ],
)
def test_drop_leading_article(normalised: str, dropped: str) -> None:
    assert drop_leading_article(normalised) == dropped


@pytest.mark.parametrize(
    ("name", "title", "year"),
    [
        ("nosferatu.1922.1080p.bluray.x264", "nosferatu", 1922),
        ("The.Matrix.1999.1080p.BluRay.x264-GROUP.mkv", "The Matrix", 1999),
        ("2001.A.Space.Odyssey.1968.2160p.UHD.mkv", "2001 A Space Odyssey", 1968),
        ("Blade.Runner.2049.2017.HDR.mkv", "Blade Runner 2049", 2017),
        ("1917.2019.720p.WEB-DL", "1917", 2019),
        ("/media/movies/Heat (1995)/Heat (1995) [1080p].mkv", "Heat", 1995),
        ("C:\\Movies\\Alien_1979_DVDRip.avi", "Alien", 1979),
        ("Amelie.DVDRip.XviD.avi", "Amelie", None),
        ("nosferatu.mkv", "nosferatu", None),
    ],
)
def test_title_from_filename(name: str, title: str, year: int | None) -> None:
    assert title_from_filename(name) == (title, year)


@pytest.mark.parametrize(
    ("title", "is_filename"),
    [
        ("nosferatu.1922.1080p.bluray.x264", True),
        ("Heat (1995).mkv", True),
        ("the_matrix_1999_720p", True),
        ("Mr. Smith Goes to Washington", False),
        ("S.W.A.T.", False),
        ("E.T.", False),
        ("Se7en", False),
        ("Nosferatu", False),
    ],
)
def test_looks_like_filename(title: str, is_filename: bool) -> None:
    assert looks_like_filename(title) is is_filename


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),  # paragraphs become blank lines
        ("<p>Two<br/>lines</p>", "Two\nlines"),
        ("<div><p>Nested</p></div>", "Nested"),
        ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
        ("<b>Bold</b> and <i>italic</i>", "Bold and italic"),
        ("<p>Source\nline break</p>", "Source line break"),  # HTML: a newline is a space
        ("Plain\r\n\r\ntext,\nkept lines", "Plain\n\ntext,\nkept lines"),  # plain text keeps them
        ("Tom &amp; Jerry&nbsp;go", "Tom & Jerry go"),  # entities
        ("&#39;q&#39; &#x201C;Q&#x201D; &eacute;", "'q' \u201cQ\u201d \u00e9"),
        ("&lt;b&gt;shown&lt;/b&gt;", "<b>shown</b>"),  # escaped markup is text
        ("x<script>alert('x')</script>y", "xy"),  # script content dropped
        ("<style>p { color: red }</style>Text", "Text"),
        ("<!-- note -->Text", "Text"),
        ("Bad\x00con\x07trol\x1b chars\u200b\ufeff", "Badcontrol chars"),
        ("  lots   of \t space  ", "lots of space"),
        ("a < b and c > d", "a < b and c > d"),
        ("", ""),
    ],
)
def test_sanitise_summary(raw: str, clean: str) -> None:
    assert sanitise_summary(raw) == clean
