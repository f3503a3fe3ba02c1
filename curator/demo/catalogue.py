"""The demo world: films and series that the fake Plex library refers to and that the fake
metadata providers serve.

This is ILLUSTRATIVE DEMO DATA, not a reference. Titles, years and the cast of remakes are real
films and series, chosen so that matching is genuinely ambiguous (remakes, same-title films,
aliases, Dutch titles). External ids are the public databases' ids only where the author was
sure of them; every other id is invented in a range no real record uses (TMDB ids from
9,100,000, TheTVDB ids from 9,200,000, IMDb ids ``tt991…``). All summaries were written for
this catalogue. The Tegenlicht episode titles, the season and episode TheTVDB ids and the episode
air dates are invented as well.

:data:`PLEX_MOVIES` and :data:`PLEX_SHOWS` place works in the demo Plex library with Plex's own,
sometimes wrong, state (file-name titles, missing years, legacy or no agent, English or empty
summaries, locks); :func:`demo_sections` turns them into the fake server's sections.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from curator.demo.plex_model import PlexEntry, PlexSectionSpec, plex_guid

WorkKind = Literal["movie", "show"]
Agent = Literal["plex", "legacy", "local"]

MOVIES_SECTION_KEY = 1
SHOWS_SECTION_KEY = 2


def _text(en: str, nl: str | None = None) -> Mapping[str, str]:
    return MappingProxyType({"en": en, "nl": nl} if nl else {"en": en})


def _invented_tmdb(n: int) -> int:
    return 9_100_000 + n


def _invented_tvdb(n: int) -> int:
    return 9_200_000 + n


def _invented_imdb(n: int) -> str:
    return f"tt991{n:05d}"


@dataclass(frozen=True, slots=True)
class Episode:
    number: int
    title: str
    summaries: Mapping[str, str]
    air_date: str = ""
    tvdb_id: int | None = None

    def summary(self, language: str = "en") -> str:
        return self.summaries.get(language, "")


@dataclass(frozen=True, slots=True)
class Season:
    number: int
    episodes: tuple[Episode, ...]
    summaries: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    tvdb_id: int | None = None

    @property
    def title(self) -> str:
        return f"Season {self.number}"


@dataclass(frozen=True, slots=True)
class Work:
    """A film or series as the outside databases know it."""

    key: str
    kind: WorkKind
    title: str  # English title
    year: int
    original_title: str
    original_language: str
    tmdb_id: int
    imdb_id: str | None
    summaries: Mapping[str, str]  # by ISO 639-1 language; always "en"
    tvdb_id: int | None = None
    dutch_title: str | None = None
    alternative_titles: tuple[str, ...] = ()
    release_date: str = ""  # first release or first air date, YYYY-MM-DD, "" when not given
    popularity: float = 1.0
    vote_count: int = 0
    seasons: tuple[Season, ...] = ()

    def summary(self, language: str = "en") -> str:
        return self.summaries.get(language, "")


def _movie(
    key: str, title: str, year: int, original_title: str, language: str, tmdb_id: int, imdb_id: str,
    popularity: float, vote_count: int, summaries: Mapping[str, str], *, release_date: str = "",
    dutch_title: str | None = None, alternative_titles: tuple[str, ...] = (),
) -> Work:
    return Work(
        key=f"movie/{key}", kind="movie", title=title, year=year, original_title=original_title,
        original_language=language, tmdb_id=tmdb_id, imdb_id=imdb_id, summaries=summaries,
        dutch_title=dutch_title, alternative_titles=alternative_titles, release_date=release_date,
        popularity=popularity, vote_count=vote_count,
    )


def _season(number: int, first_tvdb: int, *rows: tuple[str, str, Mapping[str, str]]) -> Season:
    """A season (TheTVDB id ``first_tvdb``) of episodes numbered from 1: rows of (title, air date, summaries)."""
    episodes = tuple(
        Episode(episode, title, summaries, air_date, _invented_tvdb(first_tvdb + episode))
        for episode, (title, air_date, summaries) in enumerate(rows, start=1)
    )
    return Season(number, episodes, tvdb_id=_invented_tvdb(first_tvdb))


MOVIES: tuple[Work, ...] = (
    _movie("nosferatu-1922", "Nosferatu", 1922, "Nosferatu, eine Symphonie des Grauens", "de", 653, "tt0013442",
           7.4, 373, _text(
               "An estate agent travels to the Carpathians to sell a house to the reclusive Count Orlok and "
               "unwittingly brings a plague-bearing vampire home to his town. Murnau's silent film of shadow "
               "and dread.",
               "Een makelaar reist naar de Karpaten om een huis te verkopen aan de teruggetrokken graaf Orlok en "
               "neemt zonder het te weten een vampier en de pest mee terug naar zijn stad.",
           ), release_date="1922-03-15", alternative_titles=("Nosferatu: A Symphony of Horror",)),
    _movie("nosferatu-1979", "Nosferatu the Vampyre", 1979, "Nosferatu: Phantom der Nacht", "de",
           _invented_tmdb(1), _invented_imdb(1), 9.1, 420, _text(
               "Werner Herzog retells the vampire story: Jonathan Harker crosses the mountains to meet a "
               "mournful Count Dracula, whose hunger follows him back to Wismar on a ship full of rats.",
               "Werner Herzog vertelt het vampierverhaal opnieuw: Jonathan Harker reist naar een treurige graaf "
               "Dracula, wiens honger hem volgt naar Wismar, op een schip vol ratten.",
           ), alternative_titles=("Nosferatu",)),
    _movie("nosferatu-2024", "Nosferatu", 2024, "Nosferatu", "en", 426063, "tt5040012", 120.5, 2900, _text(
        "A young wife in 1830s Germany is haunted by an ancient vampire who becomes obsessed with her after "
        "her husband travels east to close a property sale.",
        "In het Duitsland van de jaren 1830 wordt een jonge vrouw geplaagd door een eeuwenoude vampier, nadat "
        "haar man naar het oosten is gereisd om een huis te verkopen.",
    )),
    _movie("metropolis-1927", "Metropolis", 1927, "Metropolis", "de", 19, "tt0017136", 32.4, 657, _text(
        "In a towering city where workers toil underground to keep the elite comfortable, the master's son "
        "falls for a woman who preaches reconciliation, while an inventor's machine-woman threatens to tear "
        "everything apart.",
        "In een torenhoge stad zwoegen arbeiders onder de grond voor de rijke bovenwereld. De zoon van de "
        "heerser wordt verliefd op een vrouw die verzoening predikt, terwijl een machinevrouw alles dreigt te "
        "verwoesten.",
    ), release_date="1927-01-10"),
    _movie("metropolis-2001", "Metropolis", 2001, "メトロポリス", "ja", _invented_tmdb(2), _invented_imdb(2),
           12.3, 310, _text(
               "A detective and his nephew search a vast futuristic city for a rogue scientist and find Tima, "
               "a girl built to rule, while robots and humans edge toward revolt.",
           ), alternative_titles=("Osamu Tezuka's Metropolis",)),
    _movie("hamlet-1948", "Hamlet", 1948, "Hamlet", "en", 23383, _invented_imdb(3), 3.2, 48, _text(
        "Laurence Olivier directs and plays the Danish prince who learns from his father's ghost that his "
        "uncle murdered the king, in a brooding black-and-white adaptation.",
        "Laurence Olivier regisseert en speelt de Deense prins die van de geest van zijn vader hoort dat zijn "
        "oom de koning heeft vermoord.",
    ), release_date="1948-03-25"),
    _movie("hamlet-1990", "Hamlet", 1990, "Hamlet", "en", _invented_tmdb(4), _invented_imdb(4), 6.1, 190, _text(
        "Franco Zeffirelli's brisk, earthy version of the tragedy, with Mel Gibson as a restless prince and "
        "Glenn Close as his mother.",
    )),
    _movie("hamlet-1996", "Hamlet", 1996, "Hamlet", "en", 10549, "tt0116477", 9.8, 117, _text(
        "Kenneth Branagh films the complete text of Hamlet in a gleaming nineteenth-century palace, following "
        "the prince's slow revenge through four hours of intrigue.",
        "Kenneth Branagh verfilmt de volledige tekst van Hamlet in een glanzend negentiende-eeuws paleis.",
    ), release_date="1996-12-25"),
    _movie("hamlet-2000", "Hamlet", 2000, "Hamlet", "en", _invented_tmdb(5), _invented_imdb(5), 4.7, 95, _text(
        "Shakespeare moves to modern Manhattan, where Hamlet is a film student and Denmark is a corporation "
        "whose chief executive has died in suspicious circumstances.",
    )),
    _movie("a-star-is-born-1937", "A Star Is Born", 1937, "A Star Is Born", "en", _invented_tmdb(6),
           _invented_imdb(6), 4.1, 70, _text(
               "A farm girl comes to Hollywood dreaming of stardom and is discovered by a famous actor whose "
               "own career is sinking into drink.",
           )),
    _movie("a-star-is-born-1954", "A Star Is Born", 1954, "A Star Is Born", "en", _invented_tmdb(7),
           _invented_imdb(7), 6.8, 160, _text(
               "Judy Garland plays a band singer lifted to fame by a charming film star while his drinking "
               "drags him down, in a musical retelling with long, lavish numbers.",
               "Judy Garland speelt een zangeres die door een charmante filmster beroemd wordt, terwijl zijn "
               "drankzucht hem ten onder laat gaan.",
           )),
    _movie("a-star-is-born-1976", "A Star Is Born", 1976, "A Star Is Born", "en", _invented_tmdb(8),
           _invented_imdb(8), 7.9, 180, _text(
               "The story moves into the rock world: a fading musician helps an unknown singer to the top as "
               "his own star falls.",
           )),
    _movie("a-star-is-born-2018", "A Star Is Born", 2018, "A Star Is Born", "en", 332562, "tt1517451",
           45.2, 11000, _text(
               "A seasoned country-rock star hears a young singer in a drag bar and brings her on stage; as her "
               "career soars, his addiction pulls him under.",
               "Een doorgewinterde countryrockster ontdekt een jonge zangeres in een dragbar en haalt haar het "
               "podium op. Terwijl haar carrière opbloeit, gaat hij ten onder aan zijn verslaving.",
           )),
    _movie("little-women-1933", "Little Women", 1933, "Little Women", "en", _invented_tmdb(9),
           _invented_imdb(9), 3.5, 60, _text(
               "Katharine Hepburn leads the four March sisters through girlhood in Civil War Massachusetts in "
               "an early adaptation of Alcott's novel.",
           )),
    _movie("little-women-1949", "Little Women", 1949, "Little Women", "en", _invented_tmdb(10),
           _invented_imdb(10), 4.2, 90, _text(
               "A Technicolor version of the March sisters' story, with June Allyson as headstrong Jo and "
               "Elizabeth Taylor as Amy.",
           )),
    _movie("little-women-1994", "Little Women", 1994, "Little Women", "en", 9587, "tt0110367", 16.4, 215, _text(
        "Four sisters grow up in Concord while their father is away at war: Jo writes, Meg marries, Beth "
        "falls ill and Amy goes to Europe.",
        "Vier zussen groeien op in Concord terwijl hun vader in de oorlog is: Jo schrijft, Meg trouwt, Beth "
        "wordt ziek en Amy vertrekt naar Europa.",
    ), release_date="1994-12-21"),
    _movie("little-women-2019", "Little Women", 2019, "Little Women", "en", 331482, "tt3281548", 38.0, 7000, _text(
        "Greta Gerwig tells the March sisters' story out of order, moving between Jo's struggling writing "
        "career in New York and the family summers that shaped her.",
        "Greta Gerwig vertelt het verhaal van de zussen March niet op volgorde, heen en weer tussen Jo's "
        "schrijversbestaan in New York en de zomers thuis.",
    )),
    _movie("the-thing-1982", "The Thing", 1982, "The Thing", "en", 1091, "tt0084787", 52.7, 1588, _text(
        "Researchers at an Antarctic station take in a sled dog fleeing a helicopter and discover that "
        "something inside it can imitate any living thing.",
        "Onderzoekers op een poolstation nemen een sledehond op en ontdekken dat er iets in zit dat elk "
        "levend wezen kan nabootsen.",
    ), release_date="1982-06-25"),
    _movie("the-thing-2011", "The Thing", 2011, "The Thing", "en", 60935, "tt0905372", 25.1, 2500, _text(
        "A palaeontologist joins a Norwegian team that has dug a creature out of the Antarctic ice, only for "
        "it to wake and hide among them.",
    )),
    _movie("solaris-1972", "Solaris", 1972, "Солярис", "ru", 593, "tt0069293", 24.1, 357, _text(
        "A psychologist is sent to a station orbiting an ocean planet and finds the crew visited by people "
        "from their pasts, conjured by the planet itself.",
        "Een psycholoog wordt naar een ruimtestation boven een oceaanplaneet gestuurd, waar de bemanning "
        "bezoek krijgt van mensen uit hun verleden, opgeroepen door de planeet zelf.",
    ), release_date="1972-03-20", alternative_titles=("Solyaris",)),
    _movie("solaris-2002", "Solaris", 2002, "Solaris", "en", 2103, "tt0307479", 14.8, 1400, _text(
        "Steven Soderbergh's spare version, with George Clooney as a grieving psychologist who meets his dead "
        "wife again aboard a station above a mysterious planet.",
    )),
    _movie("oceans-eleven-1960", "Ocean's Eleven", 1960, "Ocean's Eleven", "en", _invented_tmdb(11),
           _invented_imdb(11), 9.3, 420, _text(
               "Old army friends plan to rob five Las Vegas casinos on a single New Year's Eve, with Frank "
               "Sinatra and his pals trading quips throughout.",
           ), alternative_titles=("Ocean's 11",)),
    _movie("oceans-eleven-2001", "Ocean's Eleven", 2001, "Ocean's Eleven", "en", 161, "tt0240772", 60.9, 3783, _text(
        "Fresh out of prison, Danny Ocean assembles a crew of specialists to empty the vault beneath three "
        "Las Vegas casinos owned by the man now dating his ex-wife.",
        "Net vrij uit de gevangenis stelt Danny Ocean een team specialisten samen om de kluis onder drie "
        "casino's in Las Vegas leeg te halen.",
    ), release_date="2001-12-07"),
    _movie("scarface-1932", "Scarface", 1932, "Scarface", "en", _invented_tmdb(12), _invented_imdb(12), 6.0, 260,
           _text(
               "A ruthless bootlegger shoots his way to the top of Chicago's gangs during Prohibition, with a "
               "fatal fixation on his own sister.",
           ), alternative_titles=("Scarface: The Shame of the Nation",)),
    _movie("scarface-1983", "Scarface", 1983, "Scarface", "en", 111, "tt0086250", 70.1, 2948, _text(
        "A Cuban refugee arrives in Miami with nothing and builds a cocaine empire on sheer nerve, until "
        "paranoia and excess bring it crashing down.",
        "Een Cubaanse vluchteling komt met lege handen in Miami aan en bouwt met pure bravoure een "
        "cocaïne-imperium op, tot paranoia en overdaad alles laten instorten.",
    ), release_date="1983-12-08"),
    _movie("true-grit-1969", "True Grit", 1969, "True Grit", "en", _invented_tmdb(13), _invented_imdb(13),
           10.5, 480, _text(
               "A determined fourteen-year-old hires a hard-drinking one-eyed marshal to hunt down the man "
               "who killed her father.",
           )),
    _movie("true-grit-2010", "True Grit", 2010, "True Grit", "en", 44264, "tt1403865", 49.3, 1668, _text(
        "The Coen brothers return to the novel: Mattie Ross hires Rooster Cogburn and rides into Indian "
        "Territory after her father's killer, with a Texas Ranger tagging along.",
        "De gebroeders Coen verfilmen de roman opnieuw: Mattie Ross huurt Rooster Cogburn in en trekt achter "
        "de moordenaar van haar vader aan.",
    ), release_date="2010-12-22"),
    _movie("dune-1984", "Dune", 1984, "Dune", "en", 841, "tt0087182", 25.9, 562, _text(
        "David Lynch's baroque adaptation: young Paul Atreides is thrust into a war over the desert planet "
        "that yields the most precious substance in the universe.",
    ), release_date="1984-12-14"),
    _movie("dune-2021", "Dune", 2021, "Dune", "en", 438631, "tt1160419", 110.0, 10500, _text(
        "Paul Atreides and his family take charge of the dangerous desert planet Arrakis, only to be "
        "betrayed, which drives Paul into the deep desert and among its people.",
        "Paul Atreides en zijn familie krijgen het bestuur over de woestijnplaneet Arrakis, maar worden "
        "verraden; Paul vlucht de diepe woestijn in.",
    ), alternative_titles=("Dune: Part One",)),
    _movie("the-fly-1958", "The Fly", 1958, "The Fly", "en", 11815, _invented_imdb(14), 8.4, 129, _text(
        "A scientist testing a matter transporter fails to notice a fly in the chamber with him, and his "
        "wife must face what he has become.",
    ), release_date="1958-07-16"),
    _movie("the-fly-1986", "The Fly", 1986, "The Fly", "en", 9426, "tt0091064", 13.5, 1038, _text(
        "An eccentric scientist tests his teleportation pods on himself, unaware that a housefly came along; "
        "at first he feels stronger than ever, then he begins to change.",
        "Een excentrieke wetenschapper test zijn teleportatiecabines op zichzelf, zonder te merken dat er een "
        "vlieg is meegereisd.",
    ), release_date="1986-08-15"),
    _movie("cape-fear-1962", "Cape Fear", 1962, "Cape Fear", "en", 11349, _invented_imdb(15), 7.6, 125, _text(
        "A lawyer's family is stalked by a man he once helped send to prison, a patient predator who knows "
        "exactly how far the law can reach.",
    ), release_date="1962-04-12"),
    _movie("cape-fear-1991", "Cape Fear", 1991, "Cape Fear", "en", 1598, "tt0101540", 27.7, 675, _text(
        "A released convict torments the defence lawyer who buried evidence at his trial, and the family's "
        "comfortable life begins to crack.",
        "Een vrijgelaten gevangene terroriseert de advocaat die ooit bewijs achterhield, en het comfortabele "
        "gezinsleven begint te barsten.",
    ), release_date="1991-11-15"),
    _movie("zwartboek-2006", "Black Book", 2006, "Zwartboek", "nl", 9075, "tt0389557", 13.9, 277, _text(
        "In the occupied Netherlands of 1944, a Jewish singer whose family is betrayed joins the resistance "
        "and goes undercover as the lover of a German officer in The Hague.",
        "Nederland, 1944. Een Joodse zangeres verliest haar familie door verraad, sluit zich aan bij het "
        "verzet en wordt undercover de minnares van een Duitse officier in Den Haag.",
    ), release_date="2006-09-01", dutch_title="Zwartboek"),
    _movie("turks-fruit-1973", "Turkish Delight", 1973, "Turks fruit", "nl", _invented_tmdb(16),
           _invented_imdb(16), 6.2, 190, _text(
               "A reckless Amsterdam sculptor falls head over heels for a free-spirited young woman; their "
               "passionate, chaotic marriage falls apart until illness changes everything.",
               "Een ongeremde Amsterdamse beeldhouwer wordt smoorverliefd op een vrijgevochten jonge vrouw. "
               "Hun hartstochtelijke, rommelige huwelijk loopt stuk, tot ziekte alles verandert.",
           ), dutch_title="Turks fruit"),
    _movie("soldaat-van-oranje-1977", "Soldier of Orange", 1977, "Soldaat van Oranje", "nl", _invented_tmdb(17),
           _invented_imdb(17), 7.0, 210, _text(
               "Six Leiden students see their carefree lives overturned by the German invasion of 1940: some "
               "resist, some collaborate, and one escapes to London to return as an agent.",
               "Zes Leidse studenten zien hun zorgeloze bestaan omslaan door de Duitse inval in 1940: de een "
               "kiest het verzet, de ander collaboreert, en één van hen ontsnapt naar Londen.",
           ), dutch_title="Soldaat van Oranje"),
    _movie("karakter-1997", "Character", 1997, "Karakter", "nl", 17139, _invented_imdb(18), 1.2, 25, _text(
        "In 1920s Rotterdam a young lawyer is suspected of killing the merciless bailiff who is his father; "
        "under questioning, a lifelong struggle between the two unfolds.",
        "Rotterdam, jaren twintig. Een jonge advocaat wordt verdacht van de moord op de meedogenloze "
        "deurwaarder die zijn vader is; in het verhoor ontvouwt zich een leven lang strijd tussen die twee.",
    ), release_date="1997-04-17", dutch_title="Karakter"),
    _movie("de-aanslag-1986", "The Assault", 1986, "De Aanslag", "nl", _invented_tmdb(19), _invented_imdb(19),
           3.4, 70, _text(
               "One winter night in 1945 a collaborator is shot outside a family's house in Haarlem, and the "
               "reprisal that follows haunts the surviving boy for decades.",
               "Op een winteravond in 1945 wordt voor een huis in Haarlem een collaborateur doodgeschoten. De "
               "represaille die volgt blijft de enige overlevende, een jongen van twaalf, tientallen jaren "
               "achtervolgen.",
           ), dutch_title="De Aanslag"),
    _movie("the-matrix-1999", "The Matrix", 1999, "The Matrix", "en", 603, "tt0133093", 104.3, 8907, _text(
        "A hacker learns that the world he knows is a simulation built by machines and joins a small band of "
        "rebels fighting to free humanity.",
        "Een hacker ontdekt dat zijn wereld een simulatie is die door machines is gebouwd, en sluit zich aan "
        "bij een kleine groep rebellen.",
    ), release_date="1999-03-30"),
    _movie("fight-club-1999", "Fight Club", 1999, "Fight Club", "en", 550, "tt0137523", 146.8, 9413, _text(
        "An insomniac office worker and a soap salesman start an underground fight club that grows into "
        "something far more dangerous.",
    ), release_date="1999-10-15"),
    _movie("spirited-away-2001", "Spirited Away", 2001, "千と千尋の神隠し", "ja", 129, "tt0245429", 119.0, 3840, _text(
        "Ten-year-old Chihiro wanders into a world of spirits where her parents are turned into pigs, and she "
        "must work in a bathhouse to win their freedom.",
        "De tienjarige Chihiro belandt in een geestenwereld waar haar ouders in varkens veranderen; ze moet "
        "in een badhuis werken om hen te bevrijden.",
    ), release_date="2001-07-20", dutch_title="De reis van Chihiro"),
    _movie("amelie-2001", "Amélie", 2001, "Le Fabuleux Destin d'Amélie Poulain", "fr", 194, "tt0211915",
           73.7, 3310, _text(
               "A shy waitress in Montmartre decides to secretly improve the lives of the people around her, "
               "while dodging her own chance at love.",
               "Een verlegen serveerster in Montmartre besluit stiekem het leven van de mensen om haar heen te "
               "verbeteren, terwijl ze haar eigen kans op liefde ontloopt.",
           ), release_date="2001-04-25", alternative_titles=("Amelie",)),
)

SHOWS: tuple[Work, ...] = (
    Work(
        key="show/doctor-who-2005", kind="show", title="Doctor Who", year=2005, original_title="Doctor Who",
        original_language="en", tmdb_id=57243, imdb_id="tt0436992", tvdb_id=78804, release_date="2005-03-26",
        popularity=150.0, vote_count=2700, summaries=_text(
            "The Doctor, a time-travelling alien who changes face when close to death, roams the universe in a "
            "ship disguised as a police box, usually with a human friend along.",
            "De Doctor, een tijdreizende buitenaardse die van gezicht verandert als de dood nadert, reist door "
            "het heelal in een schip vermomd als politiecel.",
        ),
        seasons=(
            _season(1, 1000, (
                "Rose", "2005-03-26", _text(
                    "A London shop assistant is rescued from living shop-window dummies by a stranger who calls "
                    "himself the Doctor, and is offered a seat in his time machine.",
                    "Een Londense winkelmedewerkster wordt van levende etalagepoppen gered door een vreemdeling "
                    "die zich de Doctor noemt.",
                )), (
                "The End of the World", "2005-04-02", _text(
                    "The Doctor takes Rose five billion years ahead to watch the Earth burn, but someone on the "
                    "viewing platform wants the guests dead.",
                )), (
                "The Unquiet Dead", "2005-04-09", _text(
                    "In Victorian Cardiff the dead are walking, and Charles Dickens ends up helping the Doctor "
                    "find out why.",
                )),
            ),
            _season(2, 1010, (
                "New Earth", "2006-04-15", _text(
                    "On a far-future Earth, the Doctor and Rose visit a hospital run by cat nuns whose cures hide "
                    "a terrible secret.",
                )), (
                "Tooth and Claw", "2006-04-22", _text(
                    "Queen Victoria's journey through the Highlands is interrupted by warrior monks and a "
                    "creature that howls at the full moon.",
                )), (
                "School Reunion", "2006-04-29", _text(
                    "Odd goings-on at a school bring the Doctor face to face with an old companion.",
                )),
            ),
        ),
    ),
    Work(
        key="show/doctor-who-1963", kind="show", title="Doctor Who", year=1963, original_title="Doctor Who",
        original_language="en", tmdb_id=121, imdb_id="tt0056751", tvdb_id=76107, release_date="1963-11-23",
        popularity=40.0, vote_count=600, summaries=_text(
            "The original adventures of a mysterious traveller in time and space and the companions who join "
            "him in his blue box.",
        ),
        seasons=(
            _season(1, 1100, (
                "An Unearthly Child", "1963-11-23", _text(
                    "Two teachers follow a strange pupil home to a junkyard and find a police box that is far "
                    "bigger on the inside.",
                )), (
                "The Daleks", "1963-12-21", _text(
                    "The travellers land on a petrified planet and meet creatures living inside metal casings.",
                )),
            ),
            _season(2, 1110, (
                "Planet of Giants", "1964-10-31", _text(
                    "A fault in the ship shrinks the crew to the size of insects in an ordinary English garden.",
                )), (
                "The Dalek Invasion of Earth", "1964-11-21", _text(
                    "The travellers arrive in a twenty-second-century London occupied by an old enemy.",
                )),
            ),
        ),
    ),
    Work(
        key="show/the-office-us-2005", kind="show", title="The Office", year=2005, original_title="The Office",
        original_language="en", tmdb_id=2316, imdb_id="tt0386676", tvdb_id=73244, release_date="2005-03-24",
        popularity=220.0, vote_count=4000, alternative_titles=("The Office (US)",), summaries=_text(
            "A mockumentary about the staff of a small paper company branch in Pennsylvania and their awkward, "
            "well-meaning boss.",
            "Een nepdocumentaire over het personeel van een klein papierbedrijf in Pennsylvania en hun "
            "onhandige, goedbedoelende baas.",
        ),
        seasons=(
            _season(1, 1200, (
                "Pilot", "2005-03-24", _text(
                    "A documentary crew arrives at the Scranton branch of a paper company, where the regional "
                    "manager is desperate to be liked.",
                )), (
                "Diversity Day", "2005-03-29", _text(
                    "Michael's home-made sensitivity seminar goes so badly that a professional trainer has to "
                    "step in.",
                )), (
                "Health Care", "2005-04-05", _text(
                    "Dwight is asked to pick a cheaper health plan and takes his new power far too seriously.",
                )),
            ),
            _season(2, 1210, (
                "The Dundies", "2005-09-20", _text(
                    "Michael hosts the branch's yearly award night at a local restaurant, to mixed reactions.",
                )), (
                "Sexual Harassment", "2005-09-27", _text(
                    "A new company policy forces Michael to rethink his jokes, and a visiting lawyer makes him "
                    "nervous.",
                )), (
                "Office Olympics", "2005-10-04", _text(
                    "While Michael and Dwight are out buying a condo, the staff invent a series of desk-bound "
                    "games.",
                )),
            ),
            _season(3, 1220, (
                "Gay Witch Hunt", "2006-09-21", _text(
                    "Michael accidentally outs a colleague and makes things far worse by trying to show support.",
                )), (
                "The Convention", "2006-09-28", _text(
                    "Michael and Dwight travel to a trade fair in Philadelphia and run into Jim at his new branch.",
                )),
            ),
        ),
    ),
    Work(
        key="show/the-office-uk-2001", kind="show", title="The Office", year=2001, original_title="The Office",
        original_language="en", tmdb_id=2996, imdb_id="tt0290978", tvdb_id=78107, release_date="2001-07-09",
        popularity=35.0, vote_count=900, alternative_titles=("The Office (UK)",), summaries=_text(
            "A fly-on-the-wall look at a paper merchant's office in Slough, run by a manager who believes he is "
            "everyone's friend.",
        ),
        seasons=(
            _season(1, 1300, (
                "Downsize", "2001-07-09", _text(
                    "David Brent hears that head office wants to merge branches and promises his staff their "
                    "jobs are safe.",
                )), (
                "Work Experience", "2001-07-16", _text(
                    "A new temp starts at the office, and David tries very hard to impress her.",
                )),
            ),
            _season(2, 1310, (
                "Merger", "2002-09-30", _text(
                    "Staff from another branch move in, and David struggles to win over his enlarged team.",
                )), (
                "Appraisals", "2002-10-07", _text(
                    "David's yearly appraisals reveal more about him than about his employees.",
                )),
            ),
        ),
    ),
    Work(
        key="show/tegenlicht-2002", kind="show", title="Backlight", year=2002, original_title="Tegenlicht",
        original_language="nl", tmdb_id=_invented_tmdb(20), imdb_id="tt0913290", tvdb_id=252712,
        release_date="2002-09-08", popularity=3.0, vote_count=12, dutch_title="Tegenlicht",
        alternative_titles=("VPRO Tegenlicht",), summaries=_text(
            "A Dutch documentary series about the ideas and trends shaping the future of politics, economics "
            "and science.",
            "Documentaireserie over de ideeën en trends die de toekomst van politiek, economie en wetenschap "
            "bepalen.",
        ),
        seasons=(
            _season(1, 1400, (
                "De prijs van gratis", "2002-09-08", _text(
                    "How free online services are paid for with attention and personal data, and who profits.",
                    "Hoe gratis onlinediensten worden betaald met aandacht en persoonsgegevens, en wie daaraan "
                    "verdient.",
                )), (
                "Stad zonder auto", "2002-09-15", _text(
                    "European cities try streets without cars; what happens to shops, air and neighbours?",
                    "Europese steden proberen autovrije straten. Wat betekent dat voor winkels, lucht en buren?",
                )), (
                "Het geheugen van de zee", "2002-09-22", _text(
                    "Scientists read the history of the climate in mud from the North Sea floor.",
                    "Wetenschappers lezen de klimaatgeschiedenis af uit de modder op de bodem van de Noordzee.",
                )),
            ),
            _season(2, 1410, (
                "Geld als code", "2003-09-07", _text(
                    "Programmers and central bankers argue about what money becomes when it is software.",
                    "Programmeurs en centrale bankiers twisten over wat geld wordt als het software is.",
                )), (
                "De laatste boer", "2003-09-14", _text(
                    "A family farm in Friesland weighs its future as land, water and rules keep changing.",
                    "Een familiebedrijf in Friesland weegt de toekomst nu grond, water en regels blijven "
                    "veranderen.",
                )), (
                "Slimme steden", "2003-09-21", _text(
                    "Sensors everywhere promise efficient cities; residents ask who keeps the data.",
                    "Overal sensoren beloven efficiënte steden, maar bewoners vragen wie de gegevens bewaart.",
                )),
            ),
        ),
    ),
)

WORKS: tuple[Work, ...] = MOVIES + SHOWS
_BY_KEY = {work.key: work for work in WORKS}
_BY_IMDB = {work.imdb_id: work for work in WORKS if work.imdb_id}
_BY_TMDB = {(work.kind, work.tmdb_id): work for work in WORKS}
_BY_TVDB = {work.tvdb_id: work for work in WORKS if work.tvdb_id}


def work(key: str) -> Work:
    """The work with this key (``movie/nosferatu-1922``); KeyError if there is none."""
    return _BY_KEY[key]


def find_by_imdb(imdb_id: str) -> Work | None:
    return _BY_IMDB.get(imdb_id)


def find_by_tmdb(kind: WorkKind, tmdb_id: int) -> Work | None:
    return _BY_TMDB.get((kind, tmdb_id))


def find_by_tvdb(tvdb_id: int) -> Work | None:
    return _BY_TVDB.get(tvdb_id)


# -- the demo Plex library --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlexPlacement:
    """How one work sits in the demo Plex library: Plex's own, possibly wrong, view of it.

    ``summary`` None means the work's English summary; "" means none. ``file`` overrides the
    tidy ``Title (Year)`` file name (movies only).
    """

    work_key: str
    title: str
    year: int | None
    agent: Agent
    summary: str | None = None
    locked: frozenset[str] = frozenset()
    file: str = ""


_LOCKED_SUMMARY = frozenset({"summary"})

PLEX_MOVIES: tuple[PlexPlacement, ...] = (
    PlexPlacement("movie/nosferatu-1922", "nosferatu.1922.1080p.bluray", None, "local", "",
                  file="/data/Movies/incoming/nosferatu.1922.1080p.bluray.mkv"),
    PlexPlacement("movie/nosferatu-1979", "Nosferatu the Vampyre", 1979, "plex"),
    PlexPlacement("movie/nosferatu-2024", "Nosferatu", 2024, "plex"),
    PlexPlacement("movie/metropolis-1927", "Metropolis", 1927, "legacy"),
    # matched to the wrong film once: it carries the 1927 film's summary
    PlexPlacement("movie/metropolis-2001", "Metropolis", 2001, "local", work("movie/metropolis-1927").summary()),
    PlexPlacement("movie/hamlet-1948", "Hamlet", None, "local", "", file="/data/Movies/Hamlet/Hamlet.avi"),
    PlexPlacement("movie/hamlet-1996", "Hamlet", 1996, "plex"),
    PlexPlacement("movie/hamlet-2000", "Hamlet (2000)", 2000, "local", ""),
    PlexPlacement("movie/a-star-is-born-1954", "Star Is Born, A", 1954, "local", ""),
    PlexPlacement("movie/a-star-is-born-2018", "A Star Is Born", 2018, "plex", locked=_LOCKED_SUMMARY),
    PlexPlacement("movie/little-women-1933", "little.women.1933.dvdrip", None, "local", "",
                  file="/data/Movies/incoming/little.women.1933.dvdrip.avi"),
    PlexPlacement("movie/little-women-1994", "Little Women", 1994, "legacy"),
    PlexPlacement("movie/little-women-2019", "Little Women", 2019, "plex", locked=_LOCKED_SUMMARY),
    PlexPlacement("movie/the-thing-1982", "The Thing", 1982, "plex"),
    PlexPlacement("movie/the-thing-2011", "Thing, The", 2011, "local", ""),
    PlexPlacement("movie/solaris-1972", "Solyaris", 1972, "local", ""),
    PlexPlacement("movie/solaris-2002", "Solaris", 2002, "plex"),
    PlexPlacement("movie/oceans-eleven-1960", "Ocean's 11", 1960, "local", ""),
    PlexPlacement("movie/oceans-eleven-2001", "Ocean's Eleven", 2001, "plex"),
    PlexPlacement("movie/scarface-1932", "Scarface: The Shame of the Nation", 1932, "local", ""),
    PlexPlacement("movie/scarface-1983", "Scarface", 1983, "plex"),
    PlexPlacement("movie/true-grit-1969", "True Grit", 1969, "legacy"),
    PlexPlacement("movie/true-grit-2010", "True Grit", 2010, "plex", ""),
    PlexPlacement("movie/dune-1984", "Dune", 1984, "local", ""),
    PlexPlacement("movie/dune-2021", "Dune: Part One", 2021, "plex"),
    PlexPlacement("movie/the-fly-1958", "the.fly.1958.720p.hdtv", None, "local", "",
                  file="/data/Movies/incoming/the.fly.1958.720p.hdtv.mkv"),
    PlexPlacement("movie/the-fly-1986", "The Fly", 1986, "plex"),
    PlexPlacement("movie/cape-fear-1991", "Cape Fear", None, "local", "", file="/data/Movies/Cape Fear/Cape Fear.mkv"),
    PlexPlacement("movie/zwartboek-2006", "Black Book", 2006, "plex"),
    PlexPlacement("movie/turks-fruit-1973", "Turks Fruit", 1973, "local", ""),
    PlexPlacement("movie/soldaat-van-oranje-1977", "Soldier of Orange", 1977, "legacy"),
    PlexPlacement("movie/karakter-1997", "Character", 1997, "plex", locked=_LOCKED_SUMMARY),
    PlexPlacement("movie/de-aanslag-1986", "De Aanslag", 1986, "local", locked=_LOCKED_SUMMARY),
    PlexPlacement("movie/the-matrix-1999", "The Matrix", 1999, "plex"),
    PlexPlacement("movie/fight-club-1999", "Fight Club", 1999, "legacy"),
    PlexPlacement("movie/spirited-away-2001", "Spirited Away", 2001, "plex"),
    PlexPlacement("movie/amelie-2001", "Amelie", 2001, "local", ""),
)

#: Shows: episodes of matched shows carry the catalogue's titles and English summaries;
#: episodes of an unmatched (local) show are "Episode N" with no summary.
PLEX_SHOWS: tuple[PlexPlacement, ...] = (
    PlexPlacement("show/doctor-who-2005", "Doctor Who (2005)", 2005, "legacy"),
    PlexPlacement("show/the-office-us-2005", "The Office (US)", 2005, "plex"),
    PlexPlacement("show/tegenlicht-2002", "Tegenlicht", None, "local", ""),
)

_FIRST_MOVIE_KEY = 1001
_FIRST_SHOW_KEY = 2100  # show n: 2100 + 100·n; its season s: +10·s; episode e of season s: +10·s + e
_ADDED_AT = 1_650_000_000


def demo_sections() -> tuple[PlexSectionSpec, PlexSectionSpec]:
    """The demo library: "Movies" (section 1) and "TV Shows" (section 2)."""
    movies = tuple(
        _movie_entry(placement, _FIRST_MOVIE_KEY + n, _ADDED_AT + n * 604_800)
        for n, placement in enumerate(PLEX_MOVIES)
    )
    shows = tuple(
        entry
        for n, placement in enumerate(PLEX_SHOWS)
        for entry in _show_entries(placement, _FIRST_SHOW_KEY + 100 * n, _ADDED_AT + n * 2_592_000)
    )
    return (
        PlexSectionSpec(MOVIES_SECTION_KEY, "Movies", "movie", movies, "/data/Movies"),
        PlexSectionSpec(SHOWS_SECTION_KEY, "TV Shows", "show", shows, "/data/TV Shows"),
    )


def _movie_entry(placement: PlexPlacement, rating_key: int, added_at: int) -> PlexEntry:
    film = work(placement.work_key)
    matched = placement.agent != "local"
    # a matched film sits in a tidy "Title (Year)" folder; an unmatched one is named as Plex shows it
    if matched:
        folder = f"{_file_safe(film.title)} ({film.year})"
    elif placement.year is None or str(placement.year) in placement.title:
        folder = _file_safe(placement.title)
    else:
        folder = f"{_file_safe(placement.title)} ({placement.year})"
    return PlexEntry(
        rating_key=rating_key,
        kind="movie",
        title=placement.title,
        year=placement.year,
        guid=_agent_guid(placement.agent, film, rating_key),
        external_guids=_external_guids(film) if placement.agent == "plex" else (),
        summary=film.summary() if placement.summary is None else placement.summary,
        locked=placement.locked,
        original_title=film.original_title if matched and film.original_title != placement.title else "",
        originally_available_at=film.release_date if matched else "",
        file=placement.file or f"/data/Movies/{folder}/{folder}.mkv",
        duration_ms=_duration(film.key, 5_400_000, 3_600_000),
        added_at=added_at,
        work_key=film.key,
    )


def _show_entries(placement: PlexPlacement, rating_key: int, added_at: int) -> list[PlexEntry]:
    series = work(placement.work_key)
    agent = placement.agent
    folder = _file_safe(placement.title)
    entries = [PlexEntry(
        rating_key=rating_key,
        kind="show",
        title=placement.title,
        year=placement.year,
        guid=_agent_guid(agent, series, rating_key),
        external_guids=_external_guids(series) if agent == "plex" else (),
        summary=series.summary() if placement.summary is None else placement.summary,
        locked=placement.locked,
        original_title=series.original_title if agent != "local" and series.original_title != placement.title else "",
        originally_available_at=series.release_date if agent != "local" else "",
        added_at=added_at,
        work_key=series.key,
    )]
    for season in series.seasons:
        season_key = rating_key + 10 * season.number
        entries.append(PlexEntry(
            rating_key=season_key,
            kind="season",
            title=season.title,
            guid=_child_guid(agent, series, "season", season_key, season.number),
            external_guids=(f"tvdb://{season.tvdb_id}",) if agent == "plex" and season.tvdb_id else (),
            parent=rating_key,
            index=season.number,
            added_at=added_at,
            work_key=series.key,
        ))
        for episode in season.episodes:
            episode_key = season_key + episode.number
            code = f"S{season.number:02d}E{episode.number:02d}"
            matched = agent != "local"
            entries.append(PlexEntry(
                rating_key=episode_key,
                kind="episode",
                title=episode.title if matched else f"Episode {episode.number}",
                year=int(episode.air_date[:4]) if matched and episode.air_date else None,
                guid=_child_guid(agent, series, "episode", episode_key, season.number, episode.number),
                external_guids=(f"tvdb://{episode.tvdb_id}",) if agent == "plex" and episode.tvdb_id else (),
                summary=episode.summary() if matched else "",
                originally_available_at=episode.air_date if matched else "",
                file=f"/data/TV Shows/{folder}/Season {season.number:02d}/{folder} - {code}.mkv",
                duration_ms=_duration(f"{series.key}/{code}", 1_300_000, 1_800_000),
                parent=season_key,
                index=episode.number,
                added_at=added_at,
                work_key=series.key,
            ))
    return entries


def _agent_guid(agent: Agent, subject: Work, rating_key: int) -> str:
    if agent == "plex":
        return plex_guid(subject.kind, subject.key)
    if agent == "legacy":
        if subject.kind == "movie":
            return f"com.plexapp.agents.imdb://{subject.imdb_id}?lang=en"
        return f"com.plexapp.agents.thetvdb://{subject.tvdb_id}?lang=en"
    return f"local://{rating_key}"


def _child_guid(agent: Agent, series: Work, kind: Literal["season", "episode"], rating_key: int, *path: int) -> str:
    if agent == "plex":
        return plex_guid(kind, f"{series.key}/{'/'.join(map(str, path))}")
    if agent == "legacy":
        return f"com.plexapp.agents.thetvdb://{series.tvdb_id}/{'/'.join(map(str, path))}?lang=en"
    return f"local://{rating_key}"


def _external_guids(subject: Work) -> tuple[str, ...]:
    guids = [f"imdb://{subject.imdb_id}"] if subject.imdb_id else []
    guids.append(f"tmdb://{subject.tmdb_id}")
    if subject.tvdb_id:
        guids.append(f"tvdb://{subject.tvdb_id}")
    return tuple(guids)


def _duration(seed: str, minimum: int, spread: int) -> int:
    """A stable running time in milliseconds, whole minutes."""
    value = minimum + int(hashlib.sha1(seed.encode()).hexdigest()[:8], 16) % spread
    return value - value % 60_000


def _file_safe(name: str) -> str:
    return re.sub(r'[:/\\?*"<>|]', " -", name).replace("  ", " ")
