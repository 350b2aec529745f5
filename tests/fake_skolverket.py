"""A stand-in for Skolverket's two open APIs on 127.0.0.1, serving documents in the shapes the
published specifications describe, plus the failures a real source has (500, slow, malformed
JSON, 429 with Retry-After, down).

Where each field comes from:
- Skolenhetsregistret v2, OpenAPI spec
  https://api.skolverket.se/skolenhetsregistret/skolenhetsregistret_v2_openapi.yaml
  (Swagger UI https://api.skolverket.se/skolenhetsregistret/swagger-ui/index.html):
  * GET /v2/school-units?municipality_code=<code> → {"meta": {"extractDate"}, "data": {"type":
    "schoolunit", "attributes": [{"schoolUnitCode", "name", "status"}]}}; status is one of
    AKTIV, VILANDE, UPPHORT, PLANERAD. The list is not paged.
  * GET /v2/school-units/{schoolUnitCode} → {"data": {"attributes": {"schoolUnitCode",
    "displayName", "status", "municipalityCode", "schoolTypes": ["GR", "FKLASS", ...], "url",
    "addresses": [{"type": "BESOKSADRESS", "streetAddress", "postalCode", "locality",
    "geoCoordinates": {"latitude", "longitude"}}]}}}.
  Filters on the list (spec parameters): municipality_code, school_type, status,
  organization_number, school_unit_type. School-type codes (schoolTypes, CodeSchoolType):
  GR grundskola, GY gymnasieskola, FKLASS förskoleklass, ... Preschools are not in the register.
- Planned Educations v3, OpenAPI spec https://api.skolverket.se/planned-educations/v3/api-docs,
  media type application/vnd.skolverket.plannededucations.api.v3.hal+json:
  * GET /v3/adult-education-events?typeOfSchool=sfi&geographicalAreaCode=<code>&page=&size=
    → {"status", "message", "body": {"_embedded": {"listedAdultEducationEvents": [
    {"educationEventId", "titleSv", "providerName", "municipality", "geographicalAreaCode",
    "town", "typeOfSchool", "semesterStartFrom", "paceOfStudy", "distance" (boolean),
    "executionCondition", "lastApplicationDate"}]}, "page": {"size", "totalElements",
    "totalPages", "number"}}}. HAL leaves out "_embedded" when nothing matched. Paged.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional
from urllib.parse import parse_qs, urlparse

EXTRACT_DATE = "2026-11-20T02:00:00"
SERVER_PAGE_SIZE = 2  # the stand-in pages small, so a client that ignores paging misses offerings


def _unit(code, name, municipality, types, status="AKTIV", url=""):
    return {"schoolUnitCode": code, "displayName": name, "status": status, "municipalityCode": municipality,
            "schoolTypes": types, "url": url,
            "addresses": [{"type": "BESOKSADRESS", "streetAddress": "Skolvägen 1", "postalCode": "50630",
                           "locality": "Borås", "geoCoordinates": {"latitude": 57.72, "longitude": 12.94}}]}


SCHOOL_UNITS: Dict[str, List[dict]] = {
    "1490": [  # Borås: no shipped facts
        _unit("11110001", "Sjöboskolan", "1490", ["GR", "FKLASS"], url="https://www.boras.se/sjobo"),
        _unit("11110002", "Fristadskolan", "1490", ["GR"]),
        _unit("11110003", "Erikslundskolan", "1490", ["GR"]),
        _unit("11110004", "Engelbrektskolan", "1490", ["GR"]),
        _unit("11110005", "Aplaredskolan", "1490", ["GR"]),
        _unit("11110006", "Bodaskolan", "1490", ["GR"]),
        _unit("11110007", "Daltorpskolan", "1490", ["GR"]),
        _unit("11110008", "Gamla skolan", "1490", ["GR"], status="UPPHORT"),
        _unit("11110009", "Sven Eriksonsgymnasiet", "1490", ["GY"]),
    ],
    "1499": [  # Falköping: has a shipped school_placement fact of the same name as one unit
        _unit("22220001", "Skolplacering och mottagning av nyanlända elever, Falköping kommun", "1499", ["GR"]),
        _unit("22220002", "Mösseberg skola", "1499", ["GR"]),
    ],
    "2021": [],  # Vansbro: an empty municipality
}

TODAY = dt.date.today()
SFI_EVENTS: Dict[str, List[dict]] = {
    "1490": [
        {"educationEventId": "e.sfi.1490.1", "titleSv": "Svenska för invandrare, kvällskurs", "providerName":
         "Vuxenutbildningen Borås", "municipality": "Borås", "geographicalAreaCode": "1490", "town": "Borås",
         "typeOfSchool": "sfi", "semesterStartFrom": (TODAY + dt.timedelta(days=40)).isoformat(),
         "paceOfStudy": "50", "distance": False, "executionCondition": 1, "lastApplicationDate": None},
        {"educationEventId": "e.sfi.1490.2", "titleSv": "Svenska för invandrare", "providerName": "Hermods",
         "municipality": "Borås", "geographicalAreaCode": "1490", "town": "Borås", "typeOfSchool": "sfi",
         "semesterStartFrom": (TODAY + dt.timedelta(days=10)).isoformat(), "paceOfStudy": "100",
         "distance": True, "executionCondition": 1, "lastApplicationDate": None},
        {"educationEventId": "e.sfi.1490.3", "titleSv": "Svenska för invandrare", "providerName": "Old course",
         "municipality": "Borås", "geographicalAreaCode": "1490", "town": "Borås", "typeOfSchool": "sfi",
         "semesterStartFrom": (TODAY - dt.timedelta(days=400)).isoformat(), "paceOfStudy": "100",
         "distance": False, "executionCondition": 1, "lastApplicationDate": None},
        {"educationEventId": "e.sfi.1490.4", "titleSv": "Svenska för invandrare", "providerName": "Lernia",
         "municipality": "Borås", "geographicalAreaCode": "1490", "town": "Borås", "typeOfSchool": "sfi",
         "semesterStartFrom": (TODAY + dt.timedelta(days=100)).isoformat(), "paceOfStudy": "100",
         "distance": False, "executionCondition": 1, "lastApplicationDate": None},
        {"educationEventId": "e.sfi.other", "titleSv": "Svenska för invandrare", "providerName": "Elsewhere",
         "municipality": "Ulricehamn", "geographicalAreaCode": "1491", "town": "Ulricehamn", "typeOfSchool": "sfi",
         "semesterStartFrom": (TODAY + dt.timedelta(days=5)).isoformat(), "paceOfStudy": "100",
         "distance": False, "executionCondition": 1, "lastApplicationDate": None},
    ],
}


class FakeSkolverket:
    """Both APIs on one local port. ``mode`` makes the next responses fail on purpose:
    "ok", "500", "500-once", "slow", "malformed", "unexpected", "429" (with ``retry_after``)."""

    def __init__(self):
        self.mode = "ok"
        self.retry_after = "1"
        self.slow_seconds = 3.0
        self.requests: List[dict] = []  # path, query, headers of every request seen
        self._server: Optional[ThreadingHTTPServer] = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, port: int = 0) -> "FakeSkolverket":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                fake.handle(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port or self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def hits(self, prefix: str = "") -> int:
        return sum(1 for r in self.requests if r["path"].startswith(prefix))

    # -- responses ---------------------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parsed = urlparse(request.path)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        self.requests.append({"path": parsed.path, "query": query, "headers": dict(request.headers)})
        mode = self.mode
        if mode == "500-once":
            self.mode = "ok"
            return self._send(request, 500, b'{"error": "internal"}')
        if mode == "500":
            return self._send(request, 500, b'{"error": "internal"}')
        if mode == "429":
            return self._send(request, 429, b'{"error": "too many requests"}', {"Retry-After": self.retry_after})
        if mode == "429-once":
            self.mode = "ok"
            return self._send(request, 429, b"{}", {"Retry-After": self.retry_after})
        if mode == "slow":
            time.sleep(self.slow_seconds)
        if mode == "malformed":
            return self._send(request, 200, b'{"data": {"attributes": [')
        if mode == "unexpected":
            return self._send(request, 200, b'{"message": "maintenance", "<script>": 1}')
        status, document = self._document(parsed.path, query)
        self._send(request, status, json.dumps(document).encode())

    @staticmethod
    def _document(path: str, query: dict):
        if path == "/v2/school-units":
            units = SCHOOL_UNITS.get(query.get("municipality_code", ""), [])
            return 200, {"meta": {"extractDate": EXTRACT_DATE}, "data": {"type": "schoolunit", "attributes": [
                {"schoolUnitCode": u["schoolUnitCode"], "name": u["displayName"], "status": u["status"]}
                for u in units]}}
        if path.startswith("/v2/school-units/"):
            code = path.rsplit("/", 1)[1]
            for units in SCHOOL_UNITS.values():
                for unit in units:
                    if unit["schoolUnitCode"] == code:
                        return 200, {"data": {"type": "schoolunit", "attributes": unit}}
            return 404, {"message": "not found"}
        if path == "/v3/adult-education-events":
            # The real filter matches more than the municipality (geographical areas overlap):
            # the stand-in returns a neighbour's offering too, which the client must drop.
            events = [e for e in SFI_EVENTS.get(query.get("geographicalAreaCode", ""), [])]
            size = min(int(query.get("size", 20)), SERVER_PAGE_SIZE)
            page = int(query.get("page", 0))
            chunk = events[page * size:(page + 1) * size]
            body = {"page": {"size": size, "totalElements": len(events),
                             "totalPages": (len(events) + size - 1) // size, "number": page}}
            if chunk:
                body["_embedded"] = {"listedAdultEducationEvents": chunk}
            return 200, {"status": "OK", "message": "", "body": body}
        return 404, {"message": "not found"}

    @staticmethod
    def _send(request, status: int, body: bytes, headers: Optional[dict] = None) -> None:
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (timeout tests)
            pass
