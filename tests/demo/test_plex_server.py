"""The fake Plex over raw HTTP: formats, paging, guids, metadata, children, errors, tokens."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from curator.demo.plex_server import FakePlexServer
from curator.demo.synthetic import synthetic_section
from tests.demo.conftest import JSON, client_for, container, recorded


def by_title(items: list[dict[str, Any]], title: str) -> dict[str, Any]:
    matches = [item for item in items if item["title"] == title]
    assert len(matches) == 1, f"{len(matches)} items titled {title!r}"
    return matches[0]


def movies(http: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    return container(http.get("/library/sections/1/all", params=params, headers=JSON))["Metadata"]


# -- formats and the server ----------------------------------------------------------------------


def test_identity_needs_no_token_and_matches_the_recorded_shape(shared_plex: FakePlexServer) -> None:
    with client_for(shared_plex, token=False) as anonymous:
        body = container(anonymous.get("/identity", headers=JSON))
        xml = anonymous.get("/identity")
    expected = recorded("identity.json")["MediaContainer"]
    assert set(body) == set(expected)
    assert body["machineIdentifier"] == shared_plex.machine_identifier
    assert body["claimed"] is True and body["size"] == 0
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "MediaContainer" and root.get("claimed") == "1"


def test_xml_is_the_default_and_json_only_when_asked(shared_http: httpx.Client) -> None:
    xml = shared_http.get("/library/sections")
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert [d.get("title") for d in root.findall("Directory")] == ["Movies", "TV Shows"]
    assert root.find("Directory").get("allowSync") == "1"  # booleans are "1"/"0" in XML
    body = container(shared_http.get("/library/sections", headers=JSON))
    assert body["Directory"][0]["allowSync"] is True  # and true/false in JSON


def test_server_root_has_what_clients_read(shared_plex: FakePlexServer, shared_http: httpx.Client) -> None:
    root = ET.fromstring(shared_http.get("/").content)
    assert root.get("friendlyName") == shared_plex.name
    assert root.get("machineIdentifier") == shared_plex.machine_identifier
    assert root.get("version") == shared_plex.version
    assert root.get("myPlex") == "1" and root.get("myPlexUsername")
    assert "library" in {d.get("key") for d in root.findall("Directory")}


def test_sections_have_the_recorded_shape_on_both_paths(shared_http: httpx.Client) -> None:
    first = container(shared_http.get("/library/sections", headers=JSON))
    second = container(shared_http.get("/library/sections/all", headers=JSON))
    assert first == second
    recorded_section = recorded("library_sections.json")["MediaContainer"]["Directory"][0]
    ours = first["Directory"][0]
    assert set(ours) == set(recorded_section)
    for name, value in recorded_section.items():
        assert type(ours[name]) is type(value), name
    assert [(d["key"], d["type"]) for d in first["Directory"]] == [("1", "movie"), ("2", "show")]


def test_library_root_lists_sections_directory(shared_http: httpx.Client) -> None:
    body = container(shared_http.get("/library", headers=JSON))
    assert body["title1"] == "Plex Library"
    assert "sections" in [d["key"] for d in body["Directory"]]


# -- listings ---------------------------------------------------------------------------------------


def test_listing_items_have_the_recorded_types(shared_http: httpx.Client) -> None:
    page = container(shared_http.get(
        "/library/sections/1/all", params={"includeGuids": 1}, headers={**JSON, "X-Plex-Container-Start": "0",
                                                                         "X-Plex-Container-Size": "50"}))
    recorded_page = recorded("movie_section_all_includeGuids_page.json")["MediaContainer"]
    for name in ("size", "totalSize", "offset", "librarySectionID", "librarySectionTitle", "viewGroup"):
        assert type(page[name]) is type(recorded_page[name]), name
    recorded_item = recorded_page["Metadata"][0]
    ours = by_title(page["Metadata"], "The Thing")
    shared = set(ours) & set(recorded_item)
    assert {"ratingKey", "key", "guid", "type", "title", "summary", "year", "Media", "Guid"} <= shared
    for name in shared:
        assert type(ours[name]) is type(recorded_item[name]), name
    assert set(ours["Media"][0]["Part"][0]) <= set(recorded_item["Media"][0]["Part"][0])


def test_movies_are_video_and_shows_directory_in_xml(shared_http: httpx.Client) -> None:
    movies_xml = ET.fromstring(shared_http.get("/library/sections/1/all").content)
    shows_xml = ET.fromstring(shared_http.get("/library/sections/2/all").content)
    episodes_xml = ET.fromstring(shared_http.get("/library/sections/2/all", params={"type": 4}).content)
    assert {child.tag for child in movies_xml} == {"Video"}
    assert {child.tag for child in shows_xml} == {"Directory"}
    assert {child.tag for child in episodes_xml} == {"Video"}
    assert movies_xml.find("Video/Media/Part").get("file")


def test_type_selects_the_level_of_a_show_section(shared_http: httpx.Client) -> None:
    kinds = {}
    for number in (2, 3, 4):
        items = container(shared_http.get("/library/sections/2/all", params={"type": number}, headers=JSON))["Metadata"]
        kinds[number] = {item["type"] for item in items}
    assert kinds == {2: {"show"}, 3: {"season"}, 4: {"episode"}}
    default = container(shared_http.get("/library/sections/2/all", headers=JSON))["Metadata"]
    assert {item["type"] for item in default} == {"show"}
    assert shared_http.get("/library/sections/2/all", params={"type": 1}).status_code == 400
    assert shared_http.get("/library/sections/1/all", params={"type": 4}).status_code == 400


def test_unpaged_listing_returns_everything_without_offset_or_total(shared_http: httpx.Client) -> None:
    response = shared_http.get("/library/sections/1/all", headers=JSON)
    body = container(response)
    assert "offset" not in body and "totalSize" not in body
    assert body["size"] == len(body["Metadata"]) == 37
    assert "x-plex-container-start" not in response.headers


@pytest.mark.parametrize("via", ["headers", "query"])
def test_paging_by_headers_or_query_params(shared_http: httpx.Client, via: str) -> None:
    paging = {"X-Plex-Container-Start": "5", "X-Plex-Container-Size": "10"}
    if via == "headers":
        response = shared_http.get("/library/sections/1/all", headers={**JSON, **paging})
    else:
        response = shared_http.get("/library/sections/1/all", params=paging, headers=JSON)
    body = container(response)
    assert (body["offset"], body["size"], body["totalSize"]) == (5, 10, 37)
    assert response.headers["X-Plex-Container-Start"] == "5"
    assert response.headers["X-Plex-Container-Total-Size"] == "37"
    everything = movies(shared_http)
    assert [item["ratingKey"] for item in body["Metadata"]] == [item["ratingKey"] for item in everything[5:15]]


def test_pages_cover_the_listing_exactly_once(shared_http: httpx.Client) -> None:
    seen: list[str] = []
    start = 0
    while True:
        body = container(shared_http.get("/library/sections/1/all", headers={
            **JSON, "X-Plex-Container-Start": str(start), "X-Plex-Container-Size": "8"}))
        seen.extend(item["ratingKey"] for item in body.get("Metadata", []))
        start += 8
        if start >= body["totalSize"]:
            break
    assert len(seen) == len(set(seen)) == 37


def test_size_zero_returns_only_the_count(shared_http: httpx.Client) -> None:
    body = container(shared_http.get(
        "/library/sections/2/all", params={"type": 4, "X-Plex-Container-Start": 0, "X-Plex-Container-Size": 0},
        headers=JSON))
    assert body["size"] == 0 and body["totalSize"] == 20 and "Metadata" not in body


def test_a_page_past_the_end_is_empty(shared_http: httpx.Client) -> None:
    body = container(shared_http.get("/library/sections/1/all", headers={
        **JSON, "X-Plex-Container-Start": "100", "X-Plex-Container-Size": "10"}))
    assert body["size"] == 0 and body["totalSize"] == 37 and "Metadata" not in body


def test_bad_paging_values_are_refused(shared_http: httpx.Client) -> None:
    response = shared_http.get("/library/sections/1/all", headers={"X-Plex-Container-Start": "-1"})
    assert response.status_code == 400


def test_include_guids_adds_guids_only_to_new_agent_items(shared_http: httpx.Client) -> None:
    plain = movies(shared_http)
    with_guids = movies(shared_http, includeGuids=1)
    assert not any("Guid" in item for item in plain)
    thing = by_title(with_guids, "The Thing")
    assert thing["guid"].startswith("plex://movie/")
    assert thing["Guid"] == [{"id": "imdb://tt0084787"}, {"id": "tmdb://1091"}]
    for item in with_guids:
        if not item["guid"].startswith("plex://"):
            assert "Guid" not in item, item["title"]
    agents = {item["guid"].split(":")[0] for item in with_guids}
    assert agents == {"plex", "com.plexapp.agents.imdb", "local"}


def test_include_meta_describes_sorts_and_fields(shared_http: httpx.Client) -> None:
    body = container(shared_http.get("/library/sections/2/all", params={"includeMeta": 1}, headers=JSON))
    types = {entry["type"]: entry for entry in body["Meta"]["Type"]}
    assert set(types) == {"show", "season", "episode"}
    assert types["show"]["active"] is True
    assert "episode.title" in [field["key"] for field in types["episode"]["Field"]]
    assert {entry["type"] for entry in body["Meta"]["FieldType"]} == {"string", "integer"}
    xml = ET.fromstring(shared_http.get("/library/sections/2/all", params={"includeMeta": 1}).content)
    assert xml.find("Meta/Type/Sort") is not None


def test_sort_and_filters(shared_http: httpx.Client) -> None:
    descending = movies(shared_http, sort="titleSort:desc")
    ascending = movies(shared_http, sort="movie.titleSort")
    assert [item["title"] for item in descending] == [item["title"] for item in reversed(ascending)]
    assert descending[0]["title"] == "Turks Fruit" and ascending[0]["title"] == "Amelie"
    assert {item["title"] for item in movies(shared_http, title="hamlet")} == {"Hamlet", "Hamlet (2000)"}
    assert [item["year"] for item in movies(shared_http, year="1982")] == [1982]
    newer = movies(shared_http, **{"year>>": "2018"})
    assert newer and all(item["year"] > 2018 for item in newer)
    assert shared_http.get("/library/sections/1/all", params={"year": "soon"}).status_code == 400


def test_limit_caps_the_listing_and_its_total(shared_http: httpx.Client) -> None:
    body = container(shared_http.get("/library/sections/1/all", params={"limit": 3}, headers={
        **JSON, "X-Plex-Container-Start": "0", "X-Plex-Container-Size": "10"}))
    assert body["size"] == 3 and body["totalSize"] == 3


# -- metadata, children, leaves ---------------------------------------------------------------------


def test_metadata_carries_guids_locks_and_media(shared_http: httpx.Client) -> None:
    locked = by_title(movies(shared_http), "A Star Is Born")
    body = container(shared_http.get(f"/library/metadata/{locked['ratingKey']}", headers=JSON))
    (item,) = body["Metadata"]
    assert item["Field"] == [{"locked": True, "name": "summary"}]
    assert item["Guid"] == [{"id": "imdb://tt1517451"}, {"id": "tmdb://332562"}]
    assert item["librarySectionID"] == 1 and item["librarySectionKey"] == "/library/sections/1"
    assert item["Media"][0]["Part"][0]["file"].endswith(".mkv")
    xml = ET.fromstring(shared_http.get(f"/library/metadata/{locked['ratingKey']}").content)
    assert xml.find("Video/Field").attrib == {"locked": "1", "name": "summary"}

    unlocked = by_title(movies(shared_http), "The Matrix")
    (plain,) = container(shared_http.get(f"/library/metadata/{unlocked['ratingKey']}", headers=JSON))["Metadata"]
    assert "Field" not in plain


def test_metadata_without_guid_array_for_legacy_and_local_items(shared_http: httpx.Client) -> None:
    items = movies(shared_http)
    legacy = by_title(items, "Fight Club")
    local = by_title(items, "nosferatu.1922.1080p.bluray")
    keys = f"{legacy['ratingKey']},{local['ratingKey']}"
    body = container(shared_http.get(f"/library/metadata/{keys}", headers=JSON))
    assert [item["guid"] for item in body["Metadata"]] == [
        "com.plexapp.agents.imdb://tt0137523?lang=en", f"local://{local['ratingKey']}"]
    assert all("Guid" not in item for item in body["Metadata"])
    assert "year" not in body["Metadata"][1]  # Plex does not know the year of a file-name title


def test_episode_metadata_matches_the_recorded_shape(shared_http: httpx.Client) -> None:
    episodes = container(shared_http.get("/library/sections/2/all", params={"type": 4}, headers=JSON))["Metadata"]
    rose = by_title(episodes, "Rose")
    (ours,) = container(shared_http.get(f"/library/metadata/{rose['ratingKey']}", headers=JSON))["Metadata"]
    recorded_episode = recorded("episode_metadata.json")["MediaContainer"]["Metadata"][0]
    lineage = {"parentRatingKey", "grandparentRatingKey", "parentKey", "grandparentKey", "parentTitle",
               "grandparentTitle", "parentIndex", "index", "librarySectionID"}
    assert lineage <= set(ours)
    for name in lineage:
        assert type(ours[name]) is type(recorded_episode[name]), name
    assert (ours["grandparentTitle"], ours["parentIndex"], ours["index"]) == ("Doctor Who (2005)", 1, 1)


def test_children_of_a_show_are_seasons_and_of_a_season_episodes(shared_http: httpx.Client) -> None:
    show = by_title(container(shared_http.get("/library/sections/2/all", headers=JSON))["Metadata"], "The Office (US)")
    seasons = container(shared_http.get(f"/library/metadata/{show['ratingKey']}/children", headers=JSON))
    assert seasons["viewGroup"] == "season" and seasons["parentTitle"] == "The Office (US)"
    assert [s["title"] for s in seasons["Metadata"]] == ["Season 1", "Season 2", "Season 3"]
    assert set(recorded("show_children_seasons.json")["MediaContainer"]) - set(seasons) <= {"banner", "viewMode"}
    season = seasons["Metadata"][1]
    assert season["parentRatingKey"] == show["ratingKey"] and season["leafCount"] == 3
    episodes = container(shared_http.get(f"/library/metadata/{season['ratingKey']}/children", headers=JSON))
    assert [e["index"] for e in episodes["Metadata"]] == [1, 2, 3]
    assert {e["parentIndex"] for e in episodes["Metadata"]} == {2}
    xml = ET.fromstring(shared_http.get(f"/library/metadata/{show['ratingKey']}/children").content)
    assert {child.tag for child in xml} == {"Directory"}


def test_all_leaves_lists_every_episode_and_pages(shared_http: httpx.Client) -> None:
    show = by_title(container(shared_http.get("/library/sections/2/all", headers=JSON))["Metadata"], "The Office (US)")
    path = f"/library/metadata/{show['ratingKey']}/allLeaves"
    everything = container(shared_http.get(path, headers=JSON))
    assert [e["type"] for e in everything["Metadata"]] == ["episode"] * 8
    page = container(shared_http.get(path, headers={**JSON, "X-Plex-Container-Start": "2", "X-Plex-Container-Size": "3"}))
    assert (page["offset"], page["size"], page["totalSize"]) == (2, 3, 8)
    assert page["Metadata"] == everything["Metadata"][2:5]


# -- errors and tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_missing_or_wrong_token_gives_the_real_401_page(shared_plex: FakePlexServer, token: str | None) -> None:
    headers = {**JSON, **({"X-Plex-Token": token} if token else {})}
    with client_for(shared_plex, token=False) as anonymous:
        response = anonymous.get("/library/sections", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")  # even for a JSON client
    assert response.content == recorded("pms_401_body.html").strip()


def test_token_in_query_is_accepted(shared_plex: FakePlexServer) -> None:
    with client_for(shared_plex, token=False) as anonymous:
        response = anonymous.get("/library/sections", params={"X-Plex-Token": shared_plex.token}, headers=JSON)
    assert container(response)["size"] == 2


def test_unknown_items_and_paths_give_the_real_404_page(shared_http: httpx.Client) -> None:
    for path in ("/library/metadata/999999", "/library/metadata/999999/children", "/library/sections/9/all",
                 "/no/such/thing"):
        response = shared_http.get(path, headers=JSON)
        assert response.status_code == 404, path
        assert response.content == recorded("pms_404_body.html").strip()


def test_a_20000_item_section_pages_quickly() -> None:
    with FakePlexServer(extra_sections=[synthetic_section(20_000, seed=3)]) as server, client_for(server) as http:
        keys: set[str] = set()
        for start in range(0, 20_000, 500):
            body = container(http.get("/library/sections/3/all", params={"includeGuids": 1}, headers={
                **JSON, "X-Plex-Container-Start": str(start), "X-Plex-Container-Size": "500"}))
            assert body["totalSize"] == 20_000
            keys.update(item["ratingKey"] for item in body["Metadata"])
    assert len(keys) == 20_000
