"""A fake Plex Media Server on loopback, faithful to PLEX_API.md and the recorded payloads.

JSON when the client sends ``Accept: application/json``, XML otherwise. The token is read from
the ``X-Plex-Token`` header or query argument; only ``/identity`` answers without it. Errors
carry the bodies real PMS sends (HTML, even for JSON clients). Test knobs (latency, failures,
dropped connections, HTML pages) and request counters come from :class:`LoopbackServer`;
this class adds token control, PUT counters and read access to the items' state.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Sequence

from curator.demo.catalogue import demo_sections
from curator.demo.loopback import (
    LoopbackServer,
    Request,
    Response,
    retry_after_header,
    status_phrase,
)
from curator.demo.plex_library import (
    LibraryError,
    PlexItem,
    PlexLibrary,
    parse_edit,
    parse_filters,
)
from curator.demo.plex_model import SECTION_KINDS, TYPE_NUMBERS, PlexSectionSpec
from curator.demo.plex_render import Node, to_json, to_xml
from curator.demo.plex_views import (
    IDENTIFIER,
    MEDIA_TAG_PREFIX,
    MEDIA_TAG_VERSION,
    item_node,
    library_container,
    meta_node,
    section_art,
    section_directory,
    section_uuid,
)

DEFAULT_TOKEN = "demo-plex-token-0001"
DEFAULT_MACHINE_IDENTIFIER = "c0ffee5eed0fdemo0000000000000000000c0de1"
PMS_VERSION = "1.41.3.9314-a0bfb8370"

# Bodies as real PMS sends them (reference/plex/pms_401_body.html, pms_404_body.html).
PMS_401_BODY = (
    b"<html><head><script>window.location = window.location.href.match(/(^.+\\/)[^\\/]*$/)[1]"
    b" + 'web/index.html';</script><title>Unauthorized</title></head><body><h1>401 Unauthorized"
    b"</h1></body></html>"
)
PMS_404_BODY = b"<html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>"

_HTML = "text/html"
_XML = "text/xml;charset=utf-8"
_JSON = "application/json"
_PROTOCOL_HEADER = ("X-Plex-Protocol", "1.0")
_ROOT_DIRECTORIES = (
    "activities", "butler", "channels", "clients", "devices", "diagnostics", "hubs", "library",
    "media", "metadata", "playlists", "resources", "search", "server", "servers", "statistics",
    "system", "transcode", "updater", "user",
)

Handler = Callable[[Request, "re.Match[str]"], Response]


def html_error(status: int) -> bytes:
    """PMS's plain HTML error page for ``status``."""
    if status == 401:
        return PMS_401_BODY
    if status == 404:
        return PMS_404_BODY
    phrase = status_phrase(status)
    return f"<html><head><title>{phrase}</title></head><body><h1>{status} {phrase}</h1></body></html>".encode()


class FakePlexServer(LoopbackServer):
    """Fake PMS. ``sections`` defaults to the demo library; ``extra_sections`` are added to it."""

    def __init__(
        self,
        sections: Sequence[PlexSectionSpec] | None = None,
        *,
        extra_sections: Sequence[PlexSectionSpec] = (),
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "Curator Demo",
        machine_identifier: str = DEFAULT_MACHINE_IDENTIFIER,
        version: str = PMS_VERSION,
        owner_username: str = "demo@curator.invalid",
    ) -> None:
        super().__init__(host=host, port=port)
        self.library = PlexLibrary([*(demo_sections() if sections is None else sections), *extra_sections])
        self.name = name
        self.machine_identifier = machine_identifier
        self.version = version
        self.owner_username = owner_username
        self._token_lock = threading.Lock()
        self._token: str | None = token
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/"), self._root),
            ("GET", re.compile(r"/library"), self._library_root),
            ("GET", re.compile(r"/library/sections(?:/all)?"), self._sections),
            ("GET", re.compile(r"/library/sections/(\d+)"), self._section),
            ("GET", re.compile(r"/library/sections/(\d+)/all"), self._section_all),
            ("PUT", re.compile(r"/library/sections/(\d+)/all"), self._section_edit),
            ("GET", re.compile(r"/library/sections/(\d+)/collections"), self._collections),
            ("GET", re.compile(r"/library/metadata/([^/]+)"), self._metadata),
            ("PUT", re.compile(r"/library/metadata/([^/]+)"), self._metadata_edit),
            ("GET", re.compile(r"/library/metadata/(\d+)/children"), self._children),
            ("GET", re.compile(r"/library/metadata/(\d+)/allLeaves"), self._all_leaves),
        ]

    # -- token -------------------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        """The token PMS accepts now (None once revoked)."""
        with self._token_lock:
            return self._token

    def rotate_token(self, new_token: str | None = None) -> str:
        """Accept only ``new_token`` (a fresh random one if None) from now on; returns it."""
        token = new_token or secrets.token_urlsafe(15)
        with self._token_lock:
            self._token = token
        return token

    def revoke_token(self) -> None:
        """Refuse every token from now on (until :meth:`rotate_token`)."""
        with self._token_lock:
            self._token = None

    # -- state accessors for tests -----------------------------------------------------------

    def summary(self, rating_key: int | str) -> str:
        return self.library.summary(int(rating_key))

    def locked_fields(self, rating_key: int | str) -> frozenset[str]:
        return self.library.locked_fields(int(rating_key))

    def put_count(self, rating_key: int | str) -> int:
        """How many PUTs changed this item (item route, section route with or without ids)."""
        return self.library.put_count(int(rating_key))

    def put_counts(self) -> dict[int, int]:
        return self.library.put_counts()

    # -- HTTP --------------------------------------------------------------------------------

    def fault_response(self, status: int, retry_after: float | None) -> Response:
        return Response(status, html_error(status), _HTML, (_PROTOCOL_HEADER, *retry_after_header(retry_after)))

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        if path == "/identity" and request.method == "GET":
            return self._identity(request)
        if not self._authorized(request):
            return self._error(401)
        for method, pattern, handler in self._routes:
            if method == request.method and (match := pattern.fullmatch(path)):
                try:
                    return handler(request, match)
                except LibraryError as error:
                    return self._error(error.status)
        return self._error(404)

    def _authorized(self, request: Request) -> bool:
        expected = self.token
        given = request.param("X-Plex-Token")
        return expected is not None and given is not None and secrets.compare_digest(given, expected)

    def _error(self, status: int) -> Response:
        return Response(status, html_error(status), _HTML, (_PROTOCOL_HEADER,))

    def _reply(self, request: Request, container: Node, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        wants_json = _JSON in (request.header("Accept") or "")
        body = to_json(container) if wants_json else to_xml(container)
        return Response(200, body, _JSON if wants_json else _XML, (_PROTOCOL_HEADER, *headers))

    # -- server ------------------------------------------------------------------------------

    def _identity(self, request: Request) -> Response:
        return self._reply(request, {
            "size": 0, "claimed": True, "machineIdentifier": self.machine_identifier, "version": self.version,
        })

    def _root(self, request: Request, _match: re.Match[str]) -> Response:
        attrs: Node = {
            "size": len(_ROOT_DIRECTORIES),
            "allowCameraUpload": False, "allowChannelAccess": True, "allowMediaDeletion": True,
            "allowSharing": True, "allowSync": True, "allowTuners": False, "backgroundProcessing": True,
            "certificate": True, "companionProxy": True, "countryCode": "nld",
            "diagnostics": "logs,databases,streaminglogs", "eventStream": True,
            "friendlyName": self.name, "hubSearch": True, "itemClusters": True,
            "machineIdentifier": self.machine_identifier, "mediaProviders": True, "multiuser": True,
            "myPlex": True, "myPlexMappingState": "mapped", "myPlexSigninState": "ok",
            "myPlexSubscription": False, "myPlexUsername": self.owner_username, "offlineTranscode": 1,
            "ownerFeatures": "collections,federated-auth,home,item_clusters,kevin-bacon,loudness,trailers,webhooks",
            "photoAutoTag": False, "platform": "Linux", "platformVersion": "6.1.0 (Debian 12)",
            "pluginHost": True, "pushNotifications": False, "readOnlyLibraries": False,
            "requestParametersInCookie": True, "streamingBrainABRVersion": 3, "streamingBrainVersion": 2,
            "sync": True, "transcoderActiveVideoSessions": 0, "transcoderAudio": True,
            "transcoderLyrics": True, "transcoderPhoto": True, "transcoderSubtitles": True,
            "transcoderVideo": True, "transcoderVideoBitrates": "64,96,208,320,720,1500,2000,3000,4000,8000,10000",
            "transcoderVideoQualities": "0,1,2,3,4,5,6,7,8,9,10",
            "transcoderVideoResolutions": "128,128,160,240,320,480,768,720,720,1080,1080",
            "updatedAt": 1_734_000_000, "updater": True, "version": self.version, "voiceSearch": True,
        }
        attrs["Directory"] = [{"count": 1, "key": key, "title": key} for key in _ROOT_DIRECTORIES]
        return self._reply(request, attrs)

    # -- library -----------------------------------------------------------------------------

    def _library_root(self, request: Request, _match: re.Match[str]) -> Response:
        directories = [
            {"key": "sections", "title": "Library Sections"},
            {"key": "recentlyAdded", "title": "Recently Added Content"},
            {"key": "onDeck", "title": "On Deck Content"},
        ]
        return self._reply(request, {
            "size": len(directories), "allowSync": False, "art": "/:/resources/library-art.jpg",
            "content": "", "identifier": IDENTIFIER, "mediaTagPrefix": MEDIA_TAG_PREFIX,
            "mediaTagVersion": MEDIA_TAG_VERSION, "title1": "Plex Library", "title2": "",
            "Directory": directories,
        })

    def _sections(self, request: Request, _match: re.Match[str]) -> Response:
        specs = self.library.sections
        return self._reply(request, {
            "size": len(specs), "allowSync": False, "identifier": IDENTIFIER,
            "mediaTagPrefix": MEDIA_TAG_PREFIX, "mediaTagVersion": MEDIA_TAG_VERSION, "title1": "Plex Library",
            "Directory": [section_directory(spec) for spec in specs],
        })

    def _section(self, request: Request, match: re.Match[str]) -> Response:
        spec = self._spec(match.group(1))
        art, thumb = section_art(spec.kind)
        noun = "Movies" if spec.kind == "movie" else "Shows"
        directories = [
            {"key": key, "title": title}
            for key, title in (("all", f"All {noun}"), ("unwatched", "Unwatched"), ("newest", "Recently Released"),
                               ("recentlyAdded", "Recently Added"), ("collections", "Collections"),
                               ("firstCharacter", "By Starting Letter"), ("year", "By Year"))
        ]
        return self._reply(request, {
            "size": len(directories), "allowSync": False, "art": art, "content": "secondary",
            "identifier": IDENTIFIER, "librarySectionID": spec.key, "librarySectionTitle": spec.title,
            "librarySectionUUID": section_uuid(spec), "mediaTagPrefix": MEDIA_TAG_PREFIX,
            "mediaTagVersion": MEDIA_TAG_VERSION, "thumb": thumb, "title1": spec.title,
            "viewGroup": "secondary", "viewMode": 65592, "Directory": directories,
        })

    def _section_all(self, request: Request, match: re.Match[str]) -> Response:
        spec = self._spec(match.group(1))
        kind = self._kind_for(spec, request.query.get("type"))
        items = self.library.listing(
            spec.key, kind, sort=request.query.get("sort"), filters=parse_filters(request.query)
        )
        limit = request.query.get("limit")
        if limit is not None:
            if not limit.isdigit():
                raise LibraryError(400, "limit must be a number")
            items = items[: int(limit)]
        meta = meta_node(spec, kind) if _flag(request, "includeMeta") else None
        return self._listing(
            request, items, lambda **paging: library_container(spec, kind, **paging),
            guids=_flag(request, "includeGuids"), meta=meta,
        )

    def _collections(self, request: Request, match: re.Match[str]) -> Response:
        """No collections: an empty listing (python-plexapi reads its ``Meta`` to validate sorts)."""
        spec = self._spec(match.group(1))
        paging = _paging(request)
        container = library_container(spec, spec.kind, size=0, **({"totalSize": 0, "offset": paging[0]} if paging else {}))
        container["title2"] = "Collections"
        if _flag(request, "includeMeta"):
            container["Meta"] = {"Type": [{
                "key": f"/library/sections/{spec.key}/collections", "type": "collection", "title": "Collections",
                "active": True,
                "Sort": [{"default": "asc", "defaultDirection": "asc", "descKey": "titleSort:desc",
                          "key": "titleSort", "title": "Title"}],
                "Field": [{"key": "title", "title": "Title", "type": "string"}],
            }]}
        return self._reply(request, container)

    def _section_edit(self, request: Request, match: re.Match[str]) -> Response:
        edit = parse_edit(request.query)
        items = self.library.items_for_section_edit(int(match.group(1)), request.query.get("type"), request.query.get("id"))
        self.library.apply(items, edit)
        return Response(200, b"", _HTML, (_PROTOCOL_HEADER,))

    # -- metadata ----------------------------------------------------------------------------

    def _metadata(self, request: Request, match: re.Match[str]) -> Response:
        keys = match.group(1).split(",")
        if not all(key.isdigit() for key in keys):
            raise LibraryError(404, "not a rating key")
        found = [item for key in keys if (item := self.library.item(int(key))) is not None]
        if not found:
            raise LibraryError(404, "unknown rating key")
        first = found[0]
        spec = self.library.section(first.section_key)
        with self.library.lock:
            nodes = [item_node(self.library, item, detail=True, guids=True) for item in found]
        container: Node = {
            "size": len(nodes), "allowSync": True, "identifier": IDENTIFIER, "librarySectionID": first.section_key,
        }
        if spec is not None:
            container["librarySectionTitle"] = spec.title
            container["librarySectionUUID"] = section_uuid(spec)
        container.update(mediaTagPrefix=MEDIA_TAG_PREFIX, mediaTagVersion=MEDIA_TAG_VERSION, Metadata=nodes)
        return self._reply(request, container)

    def _metadata_edit(self, request: Request, match: re.Match[str]) -> Response:
        edit = parse_edit(request.query)
        items = self.library.items_for_ids(match.group(1))
        self.library.apply(items, edit)
        return Response(200, b"", _HTML, (_PROTOCOL_HEADER,))

    def _children(self, request: Request, match: re.Match[str]) -> Response:
        parent = self._item(match.group(1))
        view_group = "season" if parent.kind == "show" else "episode"
        return self._listing(request, self.library.children(parent), self._parent_container(parent, view_group),
                             guids=_flag(request, "includeGuids"))

    def _all_leaves(self, request: Request, match: re.Match[str]) -> Response:
        parent = self._item(match.group(1))
        return self._listing(request, self.library.leaves(parent), self._parent_container(parent, "episode"),
                             guids=_flag(request, "includeGuids"))

    def _parent_container(self, parent: PlexItem, view_group: str) -> Callable[..., Node]:
        """Container attributes of ``/children`` and ``/allLeaves``: the parent's fields hoisted."""
        spec = self.library.section(parent.section_key)
        show = self.library.item(parent.entry.parent) if parent.entry.parent is not None else None
        if spec is None:
            raise LibraryError(404, "item without a section")

        def attributes(**paging: int) -> Node:
            with self.library.lock:
                container: Node = {
                    **paging,
                    "allowSync": True,
                    "art": f"/library/metadata/{(show or parent).rating_key}/art/{parent.updated_at}",
                    "identifier": IDENTIFIER,
                    "key": str(parent.rating_key),
                    "librarySectionID": spec.key,
                    "librarySectionTitle": spec.title,
                    "librarySectionUUID": section_uuid(spec),
                    "mediaTagPrefix": MEDIA_TAG_PREFIX,
                    "mediaTagVersion": MEDIA_TAG_VERSION,
                    "nocache": True,
                    "parentIndex": parent.entry.index if parent.kind == "season" else 1,
                    "parentTitle": parent.field("title"),
                    "summary": parent.field("summary"),
                    "thumb": f"/library/metadata/{parent.rating_key}/thumb/{parent.updated_at}",
                    "title1": spec.title,
                    "title2": parent.field("title"),
                    "viewGroup": view_group,
                }
                year = (show or parent).field("year")
                if year:
                    container["parentYear"] = year
                if show is not None:
                    container["grandparentTitle"] = show.field("title")
                return container

        return attributes

    # -- helpers -----------------------------------------------------------------------------

    def _listing(
        self,
        request: Request,
        items: Sequence[PlexItem],
        container: Callable[..., Node],
        *,
        guids: bool,
        meta: Node | None = None,
    ) -> Response:
        """A list of items, paged when the client sent X-Plex-Container-Start/-Size."""
        paging = _paging(request)
        headers: tuple[tuple[str, str], ...] = ()
        if paging is None:
            page = items
            attrs = container(size=len(items))
        else:
            start, size = paging
            page = items[start:] if size is None else items[start : start + size]
            attrs = container(size=len(page), totalSize=len(items), offset=start)
            headers = (("X-Plex-Container-Start", str(start)), ("X-Plex-Container-Total-Size", str(len(items))))
        if meta is not None:
            attrs["Meta"] = meta
        with self.library.lock:
            nodes = [item_node(self.library, item, detail=False, guids=guids) for item in page]
        if nodes:
            attrs["Metadata"] = nodes
        return self._reply(request, attrs, headers)

    def _spec(self, key: str) -> PlexSectionSpec:
        spec = self.library.section(int(key))
        if spec is None:
            raise LibraryError(404, f"no section {key}")
        return spec

    def _item(self, key: str) -> PlexItem:
        item = self.library.item(int(key))
        if item is None:
            raise LibraryError(404, f"no item {key}")
        return item

    @staticmethod
    def _kind_for(spec: PlexSectionSpec, type_arg: str | None) -> str:
        if type_arg is None:
            return spec.kind
        kind = next((k for k in SECTION_KINDS[spec.kind] if str(TYPE_NUMBERS[k]) == type_arg), None)
        if kind is None:
            raise LibraryError(400, f"type {type_arg} does not exist in section {spec.key}")
        return kind


def _flag(request: Request, name: str) -> bool:
    return request.query.get(name, "0") not in ("0", "", "false")


def _paging(request: Request) -> tuple[int, int | None] | None:
    """(start, size) from X-Plex-Container-Start/-Size (query or header), None when unpaged."""
    start = request.param("X-Plex-Container-Start")
    size = request.param("X-Plex-Container-Size")
    if start is None and size is None:
        return None
    for value in (start, size):
        if value is not None and not value.isdigit():
            raise LibraryError(400, "container start and size must be non-negative numbers")
    return int(start or 0), int(size) if size is not None else None
