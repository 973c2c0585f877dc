"""Every route of the hearing server, classified: who may call it and what everyone else gets.

One :class:`Line` per HTTP route, WebSocket endpoint and static mount of ``create_app(settings)``
(``app.routes``). ``tests/server/test_route_table.py`` fails for a route with no line (and for a
line that names no route), then calls every route as every actor of :data:`ACTORS`, with real ids
of real records on both sides of the court and hearing boundaries, and checks the answers.

Adding a route (a side service's too, once mounted into the app) is adding one line::

    Line("POST", "/api/hearings/{hearing_id}/widgets", CLERK_ONLY, ok=201, body={"name": "x"}),

- ``allow``: the actors who get through (one of the audiences below, or any set of actors).
  Everyone else gets the answer of the rule in :func:`refusal` (anonymous 401
  ``not_authenticated``; a party where staff only may go 403 ``forbidden``; a party of another
  hearing 403 ``forbidden``; a signing-link session outside the record 403 ``record_only``; staff
  of the court without the role 403 ``forbidden``; staff of another court 404 ``not_found``, the
  same answer as for an id that does not exist). ``deny`` lists the exceptions to that rule.
- ``ok``: the status an allowed actor gets for the request built here (``ok_for``: per actor,
  when it differs). The request is built so that it is valid but harmless: a stale
  ``expected_version``, a garbage SDP, a missing sub-record. Its refusal comes after the access
  check, which is what is tested.
- Path parameters come from the world (``ids``: parameter -> world key; :data:`DEFAULT_IDS` by
  name); ``body``, ``query`` and ``content`` complete the request.
- WebSockets (``WS``): ``ok=ACCEPTED`` (the first message arrives), a refusal is the close code
  (:data:`WS_REFUSED`: every refusal closes with 4403).
- Static pages served by the mount at ``/`` (``MOUNT``): public; ``call`` names the page fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

ANON = "anonymous"
PARTY = "party"  # plaintiff of hearing A, joined through an invitation
OTHER_PARTY = "party_other"  # plaintiff of hearing A2 (same court), joined
SIGNER = "signer"  # defendant of hearing A with a signing-link session (scope ``record``)
JUDGE = "judge"
CLERK = "clerk"
RECORDER = "recorder"
ADMIN = "court_admin"
OTHER_COURT = "clerk_b"  # clerk of court B

ACTORS: tuple[str, ...] = (
    ANON,
    PARTY,
    OTHER_PARTY,
    SIGNER,
    JUDGE,
    CLERK,
    RECORDER,
    ADMIN,
    OTHER_COURT,
)
"""In calling order (an ``ok_for`` that depends on an earlier call relies on it)."""

STAFF = frozenset({JUDGE, CLERK, RECORDER, ADMIN})
"""Staff of the hearing's court, whatever their role."""
HEARING = STAFF | {PARTY}
"""Staff of the court and the parties of the hearing (the live room, the editor)."""
RECORD = HEARING | {SIGNER}
"""Also a signing-link session: reading and signing the record."""
EVERYONE = frozenset(ACTORS)
JUDGE_CLERK = frozenset({JUDGE, CLERK})
CLERK_ONLY = frozenset({CLERK})
JUDGE_ONLY = frozenset({JUDGE})
EDITORS = frozenset({JUDGE, CLERK, RECORDER})
NOBODY: frozenset[str] = frozenset()

ACCEPTED = 101
"""``ok`` of a WebSocket line: accepted, its first message received."""
WS_REFUSED = 4403

MISSING = 987_654_321
"""An id no record has (the answer for it is the answer for another court's real id)."""

DEFAULT_IDS: Mapping[str, str] = {
    "case_id": "case_a",
    "hearing_id": "hearing_a",
    "participant_id": "witness_a",
    "invitation_id": "invitation_a",
    "notice_id": "notice_a",
    "material_id": "material_a",
    "dossier_case_id": "dossier_case_a",
    "account_id": "fee_account_a",
}
"""World keys of the path parameters naming records (others come from ``ids`` or literals)."""

OTHER_SIDE: Mapping[str, str] = {
    "case_a": "case_b",
    "hearing_a": "hearing_b",
    "witness_a": "party_b",
    "invitation_a": "invitation_b",
    "notice_a": "notice_b",
    "dossier_case_a": "dossier_case_b",
    "fee_account_a": "fee_account_b",
    "delivery_service_a": "delivery_service_b",
    "address_case_a": "address_case_b",
    "address_lookup_a": "address_lookup_b",
}
"""Court B's record of the same kind: court A's clerk asks for it and must get what an id that
does not exist gets."""

OTHER_HEARING: Mapping[str, str] = {"hearing_a": "hearing_a2"}
"""A path naming hearing A2 with a sub-record of hearing A (a participant, an evidence file): court
A's staff get what a sub-record id that does not exist gets."""

LITERALS: Mapping[str, object] = {
    "document_id": MISSING,
    "page": 1,
    "request_id": MISSING,
    "job_id": MISSING,
    "suggestion_id": MISSING,
    "key": "participant-1",
    "segment_id": "seg-none",
    "name": "none",
    "fmt": "txt",
    "run": 1,
    "version": 1,
    "borrowing_id": MISSING,
    "refund_id": MISSING,
    "reconciliation_id": MISSING,
    "out_trade_no": "NOSUCHORDER1",
    "review_id": MISSING,
    "rep_id": MISSING,
    "size": 1,
    "order_id": MISSING,
}
"""Path parameters with no record behind them in the world (a sub-record that does not exist)."""


@dataclass(frozen=True)
class Ref:
    """In a line's ``body``: the id of the world's record ``key`` (a sub-record of the path's
    hearing, swapped like the path's ids when the test crosses a boundary)."""

    key: str


@dataclass(frozen=True)
class Line:
    method: str
    path: str
    allow: AbstractSet[str]
    ok: int = 200
    ok_for: Mapping[str, int] = field(default_factory=dict)
    says: str | tuple[str, ...] = ""
    """Part of the message an allowed actor gets with a 4xx ``ok`` (so the test knows it is the
    refusal of the request's content or the hearing's state, not of the caller); a tuple: one of
    them."""
    deny: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    ids: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    query: Mapping[str, str] = field(default_factory=dict)
    content: bytes | None = None
    call: str | None = None
    before: tuple[tuple[str, str, str], ...] = ()
    """Calls ``(actor, method, path)`` that set the scene first (so a line also passes alone)."""
    fresh: bool = False
    """Call with a throwaway session of the actor (logout ends the session it is called with)."""

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def refusal(line: Line, actor: str) -> tuple[int, str]:
    """What ``actor`` gets from a route that does not let them in (unless ``line.deny`` says)."""
    if actor in line.deny:
        return line.deny[actor]
    if actor == ANON:
        return 401, "not_authenticated"
    if actor == OTHER_COURT:
        return 404, "not_found"
    if actor == SIGNER and PARTY in line.allow:
        return 403, "record_only"
    return 403, "forbidden"


FUTURE = "2026-12-10T02:00:00Z"
STALE = {"expected_version": 999}
NOTE = "依法记录"
PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
SPKI = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE="
ROLE_FIRST = {OTHER_COURT: (403, "forbidden")}
"""A role check before the court check: staff of another court without the role are refused
for their role (the same answer for any id, so nothing is revealed)."""
NOT_A_PARTY = {actor: (401, "not_authenticated") for actor in (*STAFF, OTHER_COURT)}
"""A party-session route asked by staff: they hold no party session."""
OTHER_CASE = {OTHER_PARTY: (404, "not_found")}
NOT_STAFF_404 = {actor: (404, "not_found") for actor in (PARTY, OTHER_PARTY, SIGNER)}
"""A staff action on a case (the dossier's register): a party is told the case is not found."""
"""Case documents: a party of another case is told the case is not found (as for no case)."""
FILING_PARTIES = {actor: (404, "not_found") for actor in (PARTY, OTHER_PARTY, SIGNER)}
"""Filing's routes are staff's: a party (any party session) is told "not found"."""

FEE_CASE_NUMBERS = {"case_a": "（2026）粤0104民初901号", "case_b": "（2026）粤0106民初902号"}
"""The cases filed in courts A and B whose fee accounts the fee lines use."""
FEES_STAFF = frozenset({JUDGE, CLERK, ADMIN})
"""Staff who see a case's fee account (the recorder does not)."""
FEES_ADJUST = frozenset({JUDGE, CLERK})
"""Staff who re-issue and send a notice (and filing clerks and finance, not in the table)."""
DELIVERY_STAFF = frozenset({JUDGE, CLERK, ADMIN})
"""Staff who see a case's services (送达) (the recorder does not)."""
ADDRESS_LOOKERS = frozenset({JUDGE, CLERK})
"""Who looks a party's addresses up (the case names no judge or clerk: any of the court's)."""
ADDRESS_CASE = {"case_id": "address_case_a"}
ADDRESS_LOOKUP = {"lookup_id": "address_lookup_a", "rank": "address_rank"}
DELIVERY_SERVERS = frozenset({JUDGE, CLERK})
"""Who serves documents and records confirmations and hand-overs (the case has no judge or clerk
assigned in the world, so any of the court's)."""
DELIVERY_SERVICE = {"service_id": "delivery_service_a"}
FINANCE_ONLY: frozenset[str] = frozenset()
"""The finance officer's routes: no actor of the table is one; a court B clerk is refused for
the role before any record is looked at."""
PAY = {"token": "pay_token"}
"""A payment link (public: its secret is the token)."""

PORTAL_ACCOUNT = {actor: (401, "not_authenticated") for actor in ACTORS}
"""A portal account's route: no actor of the table holds a portal session."""
PORTAL_STAFF_ONLY = {actor: (401, "not_authenticated") for actor in (PARTY, OTHER_PARTY, SIGNER)}
"""The portal's staff decisions asked with a hearing party's session: no staff session."""
BAD_ID_NUMBER = "110105194912310021"
"""An ID number whose check character is wrong (GB 11643: it is ``X``)."""
PORTAL_REGISTER = {"name": "张三", "id_number": BAD_ID_NUMBER, "phone": "13800000009",
                   "code": "123456", "password": "long-enough-1"}  # fmt: skip

LEDGER_JUDGE = {**ROLE_FIRST, **PORTAL_STAFF_ONLY}
"""The ledger's judge routes: a hearing party holds no staff session (401); other staff are
refused for their role, court B's clerk too (403)."""
LEDGER_APPLY = {"dossier_case_id": 1, "institution_kind": "bank", "institution_name": "中国银行",
                "items": ["账户流水"], "reason": "查明借款交付", "valid_days": 15}  # fmt: skip
LEDGER_FORM = "Field required"
"""The institution's answer asked with no form: refused for its missing fields."""

DOSSIER = frozenset({JUDGE, CLERK, ADMIN})
"""A case's dossier (materials): its judge and clerk (assigned in the route table's world) and
the court's administrators."""
DOSSIER_NO_PARTY = {actor: (404, "not_found") for actor in (PARTY, OTHER_PARTY, SIGNER)}
"""The dossier's staff routes asked by a party: "not found", as for a record that does not exist."""
DOSSIER_HIDDEN = {**DOSSIER_NO_PARTY, RECORDER: (404, "not_found")}
"""Also staff of the court who are not on the case (and hold no grant): "not found"."""
NO_DOSSIER = {actor: (404, "not_found") for actor in (PARTY, OTHER_PARTY, SIGNER, RECORDER)}
"""A case's dossier (d15-publish): parties and staff who may not read it are told "not found"."""
NO_AUDIT = {**NO_DOSSIER, CLERK: (404, "not_found")}
"""A case's audit trail: everyone but its judge and the court's administrators, "not found"."""
PARTIES_NOT_FOUND = {actor: (404, "not_found") for actor in (PARTY, OTHER_PARTY, SIGNER)}
"""The dossier's staff routes: a party is told "not found" (nothing reveals the record)."""
ARCHIVE_HIDDEN = {**PARTIES_NOT_FOUND, RECORDER: (404, "not_found")}
"""A case's archive: staff who may not read its dossier are told "not found"."""


def _before_freeze(method: str, tail: str, allow: frozenset[str], body: Any = None) -> Line:
    """A closing route asked before the record is frozen (hearing A is open): 409 for whoever
    may call it."""
    path = f"/api/hearings/{{hearing_id}}/closing{tail}"
    return Line(method, path, allow, ok=409, body=body, says="not been frozen")


def _sign_link(method: str, tail: str, body: Any = None) -> Line:
    """A signing-link route: public; hearing A is not frozen, so there is no record to sign."""
    path = f"/api/sign-links/{{token}}{tail}"
    return Line(method, path, EVERYONE, ok=410, ids={"token": "sign_token"}, body=body,
                says="no record to sign")  # fmt: skip


NOTHING_PRESENTED = ((JUDGE, "POST", "/api/hearings/{hearing_id}/evidence/stop"),)
"""Set the scene of an evidence line: the judge stops whatever is presented."""

LINES: tuple[Line, ...] = (
    # ------------------------------------------------------------- FastAPI's own pages
    Line("GET", "/openapi.json", EVERYONE),
    Line("GET", "/docs", EVERYONE),
    Line("GET", "/docs/oauth2-redirect", EVERYONE),
    Line("GET", "/redoc", EVERYONE),
    # ------------------------------------------------------------- pages and the static mount
    Line("GET", "/join/{token}", EVERYONE, ids={"token": "join_token"}),
    Line("GET", "/room/{hearing_id}", EVERYONE),
    Line("GET", "/transcript/{hearing_id}", EVERYONE),
    Line("GET", "/sign/{ref}", EVERYONE, ids={"ref": "sign_token"}),
    Line("GET", "/watch/{token}", EVERYONE, ids={"token": "watch_token"}),
    Line("GET", "/verify", EVERYONE),
    Line("GET", "/login", EVERYONE),
    Line("GET", "/dashboard", EVERYONE),
    Line("GET", "/", EVERYONE, ok=307),
    Line("MOUNT", "/", EVERYONE, call="/login.html"),
    Line("MOUNT", "/dossier", EVERYONE, call="/dossier/"),
    Line("GET", "/dossier", EVERYONE),
    Line("GET", "/healthz", EVERYONE),
    # ------------------------------------------------------------- staff authentication
    Line(
        "POST",
        "/api/auth/login",
        EVERYONE,
        ok=401,
        body={"username": "nobody-{actor}", "password": "wrong"},
        says="wrong username or password",
    ),
    Line("POST", "/api/auth/logout", EVERYONE, ok=204, fresh=True),
    Line("GET", "/api/auth/me", STAFF | {OTHER_COURT}),
    # ------------------------------------------------------------- party sessions (join links)
    Line("GET", "/api/join/me", frozenset({PARTY, OTHER_PARTY, SIGNER}), deny=NOT_A_PARTY),
    # ------------------------------------------------------------- either kind of session
    Line("GET", "/api/session", EVERYONE - {ANON}),
    Line("POST", "/api/join/logout", EVERYONE, ok=204, fresh=True),
    Line("GET", "/api/join/{token}", EVERYONE, ids={"token": "join_token"}),
    Line(
        "POST",
        "/api/join/{token}/code",
        EVERYONE,
        ok=429,
        ok_for={ANON: 202},
        ids={"token": "join_token"},
        says="a code was sent just now",
    ),
    Line(
        "POST",
        "/api/join/{token}/verify",
        EVERYONE,
        ok=410,
        ids={"token": "idle_join_token"},
        body={"code": "000000"},
        says="no code is pending",
    ),
    _sign_link("GET", ""),
    _sign_link("POST", "/code"),
    _sign_link("POST", "/verify", body={"code": "000000"}),
    # ------------------------------------------------------------- cases
    Line("GET", "/api/cases", STAFF | {OTHER_COURT}),
    Line(
        "POST",
        "/api/cases",
        JUDGE_CLERK | {ADMIN, OTHER_COURT},
        ok=409,
        body={"case_number": "(2026)粤0104民初123号", "cause_of_action": "民间借贷纠纷"},
        says="already exists",
    ),
    Line("GET", "/api/cases/{case_id}", STAFF),
    Line("GET", "/api/staff", STAFF | {OTHER_COURT}),
    # ------------------------------------------------------------- the fee service
    Line("MOUNT", "/fees", EVERYONE, call="/fees/"),
    Line("GET", "/fees", EVERYONE),
    Line("GET", "/api/fees/accounts", FEES_STAFF | {OTHER_COURT}),
    Line("GET", "/api/fees/lookup", FEES_STAFF, query={"q": FEE_CASE_NUMBERS["case_a"]}),
    Line("GET", "/api/fees/accounts/{account_id}", FEES_STAFF),
    Line("GET", "/api/fees/accounts/{account_id}/notices/{version}/pdf", FEES_STAFF),
    Line(
        "GET",
        "/api/fees/accounts/{account_id}/receipt",
        FEES_STAFF,
        ok=404,
        query={"number": "2026000100000001"},
        says="no such receipt",
    ),
    Line(
        "POST",
        "/api/fees/accounts/{account_id}/notices",
        FEES_ADJUST,
        ok=422,
        body={"reason": "reduced", "amount_fen": 10**12, "note": ""},
        says="a reduction needs an amount below the current one",
    ),
    Line(
        "POST",
        "/api/fees/accounts/{account_id}/sends",
        FEES_ADJUST,
        ok=422,
        body={"channels": []},
        says="choose SMS, e-mail or express",
    ),
    Line(
        "POST",
        "/api/fees/accounts/{account_id}/refunds",
        FINANCE_ONLY,
        deny=ROLE_FIRST,
        body={"channel": "counter", "applicant": "陈明"},
    ),
    Line(
        "POST",
        "/api/fees/accounts/{account_id}/payments",
        FINANCE_ONLY,
        deny=ROLE_FIRST,
        body={"amount_fen": 100, "channel": "cash", "reference": "CASH0001", "payer_name": "陈明"},
    ),
    Line("GET", "/api/fees/refunds", FEES_STAFF | {OTHER_COURT}),
    Line(
        "POST",
        "/api/fees/refunds/{refund_id}/decision",
        FINANCE_ONLY,
        deny=ROLE_FIRST,
        body={"approve": True, "note": ""},
    ),
    Line("POST", "/api/fees/refunds/{refund_id}/paid", FINANCE_ONLY, deny=ROLE_FIRST),
    Line("GET", "/api/fees/reconciliations", FINANCE_ONLY, deny=ROLE_FIRST),
    Line(
        "POST",
        "/api/fees/reconciliations",
        FINANCE_ONLY,
        deny=ROLE_FIRST,
        body={"bill_date": "2026-11-01"},
    ),
    Line("GET", "/api/fees/reconciliations/{reconciliation_id}", FINANCE_ONLY, deny=ROLE_FIRST),
    Line("GET", "/api/fees/notifications", FINANCE_ONLY, deny=ROLE_FIRST),
    Line("GET", "/api/fees/pay/{token}", EVERYONE, ids=PAY),
    Line("GET", "/api/fees/pay/{token}/notice", EVERYONE, ids=PAY),
    Line(
        "POST",
        "/api/fees/pay/{token}/code",
        EVERYONE,
        ids=PAY,
        ok=422,
        body={},
        says="give a mobile number",
    ),
    Line(
        "POST",
        "/api/fees/pay/{token}/orders",
        EVERYONE,
        ids=PAY,
        ok=422,
        body={"code": "000000"},
        says="no valid code",
    ),
    Line(
        "GET",
        "/api/fees/pay/{token}/orders/{out_trade_no}",
        EVERYONE,
        ids=PAY,
        ok=404,
        says="no such order",
    ),
    Line(
        "GET",
        "/api/fees/pay/{token}/receipt",
        EVERYONE,
        ids=PAY,
        ok=404,
        query={"number": "2026000100000001"},
        says="no such receipt",
    ),
    Line(
        "POST",
        "/api/fees/pay/{token}/refunds",
        EVERYONE,
        ids=PAY,
        ok=422,
        body={"code": "000000", "channel": "original"},
        says="no valid code",
    ),
    Line(
        "GET",
        "/api/fees/receipts/verify",
        EVERYONE,
        query={"number": "2026000100000001", "code": "ABCDEFGH"},
    ),
    Line(
        "POST",
        "/api/fees/wechatpay/notify",
        EVERYONE,
        ok=503,
        content=b"{}",
        says="online payment is not available",
    ),
    Line(
        "POST",
        "/api/fees/wechatpay/refund-notify",
        EVERYONE,
        ok=503,
        content=b"{}",
        says="online payment is not available",
    ),
    # ------------------------------------------------------------- service of documents (issue 17)
    Line("MOUNT", "/delivery", EVERYONE, call="/delivery/"),
    Line("GET", "/delivery", EVERYONE),
    Line("GET", "/api/delivery/cases", DELIVERY_STAFF | {OTHER_COURT}),
    Line("GET", "/api/delivery/attention", DELIVERY_STAFF | {OTHER_COURT}),
    Line("GET", "/api/delivery/cases/{dossier_case_id}", DELIVERY_STAFF),
    Line(
        "PUT",
        "/api/delivery/cases/{dossier_case_id}/parties/{party_ref}/addresses",
        DELIVERY_SERVERS,
        ids={"party_ref": "delivery_party"},
        body={"electronic": False},
    ),
    Line(
        "POST",
        "/api/delivery/cases/{dossier_case_id}/services",
        DELIVERY_SERVERS,
        ok=422,
        content=b"x",
        says="file",
    ),
    Line("GET", "/api/delivery/services/{service_id}", DELIVERY_STAFF, ids=DELIVERY_SERVICE),
    Line(
        "POST",
        "/api/delivery/services/{service_id}/handover",
        DELIVERY_SERVERS,
        ids=DELIVERY_SERVICE,
        ok=409,
        says="no open collection",
    ),
    Line(
        "POST",
        "/api/delivery/services/{service_id}/again",
        DELIVERY_SERVERS,
        ids=DELIVERY_SERVICE,
        ok=409,
        body={"channel": "post"},
        says="only a failed or returned service",
    ),
    Line(
        "GET",
        "/api/delivery/services/{service_id}/proof",
        DELIVERY_STAFF,
        ids=DELIVERY_SERVICE,
        ok=404,
        says="no proof of service yet",
    ),
    Line(
        "POST",
        "/api/delivery/services/{service_id}/traces",
        DELIVERY_SERVERS,
        ids=DELIVERY_SERVICE,
        ok=422,
        content=b"x",
        says="file",
    ),
    Line("GET", "/api/delivery/traces", DELIVERY_STAFF | {OTHER_COURT}, query={"q": "地址"}),
    Line(
        "POST",
        "/api/delivery/courier/callback",
        EVERYONE,
        ok=401,
        content=b"{}",
        says="callback refused",
    ),
    Line(
        "POST",
        "/api/delivery/sms/receipt",
        EVERYONE,
        ok=401,
        content=b"{}",
        says="receipt refused",
    ),
    # The party portal's service-to-service call (issue 17): a signed body, no session; without
    # TINGSHEN_PARTY_LINKS_KEY (as here) refused to everyone.
    Line(
        "POST",
        "/api/service/party-links",
        EVERYONE,
        ok=503,
        content=b"{}",
        says="not configured",
    ),
    # ------------------------------------------------------------- address look-up (issue 17)
    Line("MOUNT", "/addresses", EVERYONE, call="/addresses/"),
    Line("GET", "/addresses", EVERYONE),
    Line("GET", "/api/addresses/sources", ADDRESS_LOOKERS | {OTHER_COURT}),
    Line(
        "GET", "/api/addresses/cases", ADDRESS_LOOKERS, query={"number": FEE_CASE_NUMBERS["case_a"]}
    ),
    Line("GET", "/api/addresses/cases/{case_id}", ADDRESS_LOOKERS, ids=ADDRESS_CASE),
    Line("GET", "/api/addresses/cases/{case_id}/audit", ADDRESS_LOOKERS, ids=ADDRESS_CASE),
    Line(
        "POST",
        "/api/addresses/cases/{case_id}/lookups",
        ADDRESS_LOOKERS,
        ids=ADDRESS_CASE,
        ok=503,
        body={"party_ref": "p-1", "id_number": "11010519491231002X", "reason": "核实送达地址"},
        says="no agency's address service is configured",
    ),
    Line("GET", "/api/addresses/lookups/{lookup_id}", ADDRESS_LOOKERS, ids=ADDRESS_LOOKUP),
    Line(
        "POST",
        "/api/addresses/lookups/{lookup_id}/results/{rank}/use",
        ADDRESS_LOOKERS,
        ids=ADDRESS_LOOKUP,
        ok=404,
        body={},
        says="no such address",
    ),
    # ------------------------------------------------------------- the party portal (issue 17)
    # Its parties hold portal accounts of their own (no actor of the table has one): every
    # account route answers everyone 401; the public routes are asked with an ID number whose
    # check character is wrong (refused before any rate limit counts or any code is sent).
    Line("MOUNT", "/portal", EVERYONE, call="/portal/"),
    Line("GET", "/portal", EVERYONE),
    Line(
        "POST",
        "/api/portal/register/code",
        EVERYONE,
        ok=422,
        body={"phone": "1380000"},
        says="phone",
    ),
    Line(
        "POST",
        "/api/portal/register",
        EVERYONE,
        ok=422,
        body=PORTAL_REGISTER,
        says="check character",
    ),
    Line(
        "POST",
        "/api/portal/login",
        EVERYONE,
        ok=422,
        says="ID number or password is wrong",
        body={"id_number": BAD_ID_NUMBER, "password": "wrong-password"},
    ),
    Line(
        "POST",
        "/api/portal/login/code",
        EVERYONE,
        ok=422,
        says="no valid code",
        body={"challenge": "x" * 32, "code": "123456"},
    ),
    Line("POST", "/api/portal/logout", EVERYONE, ok=204),
    Line(
        "POST",
        "/api/portal/lookup",
        EVERYONE,
        ok=422,
        says="check character",
        body={
            "case_number": FEE_CASE_NUMBERS["case_a"],
            "name": "张三",
            "id_number": BAD_ID_NUMBER,
        },
    ),
    Line("GET", "/api/portal/me", NOBODY, deny=PORTAL_ACCOUNT),
    Line("GET", "/api/portal/home", NOBODY, deny=PORTAL_ACCOUNT),
    Line("GET", "/api/portal/cases", NOBODY, deny=PORTAL_ACCOUNT),
    Line("GET", "/api/portal/hearing-links", NOBODY, deny=PORTAL_ACCOUNT),
    Line("GET", "/api/portal/documents", NOBODY, deny=PORTAL_ACCOUNT),
    Line("GET", "/api/portal/documents/{document_id}/file", NOBODY, deny=PORTAL_ACCOUNT),
    Line("POST", "/api/portal/documents/{document_id}/sign", NOBODY, deny=PORTAL_ACCOUNT),
    Line(
        "POST",
        "/api/portal/representations",
        NOBODY,
        deny=PORTAL_ACCOUNT,
        body={"case_number": FEE_CASE_NUMBERS["case_a"], "party_name": "张三"},
    ),
    Line(
        "POST",
        "/api/portal/reviews",
        NOBODY,
        deny=PORTAL_ACCOUNT,
        body={"dossier_case_id": 1, "reason": "阅卷"},
    ),
    Line("GET", "/api/portal/reviews", NOBODY, deny=PORTAL_ACCOUNT),
    Line("GET", "/api/portal/reviews/{review_id}/documents", NOBODY, deny=PORTAL_ACCOUNT),
    Line(
        "GET",
        "/api/portal/reviews/{review_id}/documents/{document_id}/pages/{page}",
        NOBODY,
        deny=PORTAL_ACCOUNT,
    ),
    Line(
        "GET",
        "/api/portal/reviews/{review_id}/documents/{document_id}/download",
        NOBODY,
        deny=PORTAL_ACCOUNT,
    ),
    Line("GET", "/api/portal/passkeys", NOBODY, deny=PORTAL_ACCOUNT),
    Line("POST", "/api/portal/passkeys/register/options", NOBODY, deny=PORTAL_ACCOUNT),
    Line(
        "POST",
        "/api/portal/passkeys/register",
        NOBODY,
        deny=PORTAL_ACCOUNT,
        body={"ceremony": "x" * 32, "credential": "[]"},
    ),
    Line("POST", "/api/portal/passkeys/login/options", EVERYONE),
    Line(
        "POST",
        "/api/portal/passkeys/login",
        EVERYONE,
        ok=422,
        body={"ceremony": "x" * 32, "credential": "[]"},
        says="the passkey was not accepted",
    ),
    Line("GET", "/api/portal/staff/reviews", JUDGE_CLERK | {OTHER_COURT}, deny=PORTAL_STAFF_ONLY),
    Line(
        "POST",
        "/api/portal/staff/reviews/{review_id}/decision",
        JUDGE_CLERK,
        ok=404,
        body={"approve": False},
        says="no such record",
        deny=PORTAL_STAFF_ONLY,
    ),
    Line(
        "GET",
        "/api/portal/staff/representations",
        JUDGE_CLERK | {OTHER_COURT},
        deny=PORTAL_STAFF_ONLY,
    ),
    Line(
        "POST",
        "/api/portal/staff/representations/{rep_id}/decision",
        JUDGE_CLERK,
        ok=404,
        body={"approve": False},
        says="no such record",
        deny=PORTAL_STAFF_ONLY,
    ),
    # ------------------------------------------------------------- the ledger (issue 18)
    # The log's checkpoints and proofs and the QR verify page are public; a lawyer's routes need
    # a portal account (no actor of the table has one: 401 for everyone); only a case's judge
    # decides (the world's ledger has no order: his calls find none).
    Line("MOUNT", "/ledger", EVERYONE, call="/ledger/"),
    Line("GET", "/api/ledger/checkpoint", EVERYONE, ok=404, says="no checkpoint"),
    Line("GET", "/api/ledger/checkpoints/{size}", EVERYONE, ok=404, says="No checkpoint"),
    Line(
        "GET",
        "/api/ledger/proof/consistency",
        EVERYONE,
        ok=404,
        query={"old": "1", "new": "2"},
        says="No checkpoint",
    ),
    Line("GET", "/api/ledger/trust", EVERYONE),
    Line(
        "POST",
        "/api/ledger/public/verify",
        EVERYONE,
        ok=404,
        body={"number": "（2026）粤0104调令1号", "token": "not-the-token"},
        says="No such investigation order",
    ),
    Line("POST", "/api/ledger/public/respond", EVERYONE, ok=422, says=LEDGER_FORM),
    Line("GET", "/api/ledger/my/cases", NOBODY, deny=PORTAL_ACCOUNT),
    Line("GET", "/api/ledger/my/orders", NOBODY, deny=PORTAL_ACCOUNT),
    Line("POST", "/api/ledger/my/orders", NOBODY, deny=PORTAL_ACCOUNT, body=LEDGER_APPLY),
    Line("GET", "/api/ledger/my/orders/{order_id}/pdf", NOBODY, deny=PORTAL_ACCOUNT),
    Line("GET", "/api/ledger/judge/orders", JUDGE_ONLY, deny=LEDGER_JUDGE),
    Line(
        "POST",
        "/api/ledger/judge/orders/{order_id}/decision",
        JUDGE_ONLY,
        ok=404,
        body={"approve": False, "reason": "不符合条件"},
        says="No such investigation order",
        deny=LEDGER_JUDGE,
    ),
    Line(
        "POST",
        "/api/ledger/judge/orders/{order_id}/revoke",
        JUDGE_ONLY,
        ok=404,
        body={"reason": "当事人已和解"},
        says="No such investigation order",
        deny=LEDGER_JUDGE,
    ),
    Line(
        "GET",
        "/api/ledger/judge/orders/{order_id}/pdf",
        JUDGE_ONLY,
        ok=404,
        says="No such investigation order",
        deny=LEDGER_JUDGE,
    ),
    # ------------------------------------------------------------- cases filed in the dossier
    # (issue 15, the hearing server's side): a case's parties, to invite as themselves
    Line("GET", "/api/cases/{case_id}/parties", STAFF),
    # ------------------------------------------------------------- the dossier service
    Line("GET", "/api/dossier/cases/{dossier_case_id}", RECORD, deny=OTHER_CASE),
    # ------------------------------------------------------------- dossier: filing (立案)
    # Filing is a filing clerk's (no actor here is one: every other staff member is refused for
    # the role, court B's clerk too); parties are told "not found", as for anything not theirs.
    Line(
        "POST",
        "/api/dossier/cases",
        NOBODY,
        deny={**ROLE_FIRST, **FILING_PARTIES},
        body={
            "type_code": "民初",
            "cause_code": "C103-3",
            "procedure": "ordinary",
            "judge_user_id": 1,
            "clerk_user_id": 1,
            "parties": [
                {
                    "role": "plaintiff",
                    "kind": "person",
                    "name": "陈明",
                    "id_number": "440104199003071239",
                }
            ],
        },
    ),
    Line("GET", "/api/dossier/court-code", STAFF | {OTHER_COURT}, deny=FILING_PARTIES),
    Line(
        "PUT",
        "/api/dossier/court-code",
        frozenset({ADMIN}),
        deny={**ROLE_FIRST, **FILING_PARTIES},
        body={"code": "粤0104"},
    ),
    Line("GET", "/api/dossier/case-types", STAFF | {OTHER_COURT}, deny=FILING_PARTIES),
    Line(
        "GET",
        "/api/dossier/causes",
        STAFF | {OTHER_COURT},
        deny=FILING_PARTIES,
        query={"q": "借贷"},
    ),
    Line("GET", "/api/dossier/assignees", STAFF | {OTHER_COURT}, deny=FILING_PARTIES),
    # ------------------------------------------------------------- dossier: materials, search
    Line("GET", "/api/dossier/material-types", STAFF | {OTHER_COURT}, deny=DOSSIER_NO_PARTY),
    Line("GET", "/api/dossier/cases/{dossier_case_id}/materials", DOSSIER, deny=DOSSIER_HIDDEN),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/materials",
        DOSSIER,
        ok=422,
        deny=DOSSIER_HIDDEN,
        says="file",
    ),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/materials/{dossier_material_id}/versions",
        DOSSIER,
        ok=422,
        deny=DOSSIER_HIDDEN,
        ids={"dossier_material_id": "dossier_material_a"},
        says="file",
    ),
    Line(
        "GET",
        "/api/dossier/cases/{dossier_case_id}/materials/{dossier_material_id}/versions/{version}/{form}",
        DOSSIER,
        deny=DOSSIER_HIDDEN,
        ids={"dossier_material_id": "dossier_material_a", "form": "dossier_form"},
    ),
    Line(
        "GET",
        "/api/dossier/cases/{dossier_case_id}/search",
        DOSSIER,
        deny=DOSSIER_HIDDEN,
        query={"q": "借条"},
    ),
    Line(
        "GET",
        "/api/dossier/search",
        STAFF | {OTHER_COURT},
        deny=DOSSIER_NO_PARTY,
        query={"q": "借条"},
    ),
    # ------------------------------------------------------------- dossier: publishing (d15-publish)
    # Case A's dossier: its judge and clerk (assigned in the records), the court's admins. The
    # recorder (no grant) and parties get "not found", as for no case.
    Line(
        "GET",
        "/api/dossier/cases/{dossier_case_id}/publications",
        {JUDGE, CLERK, ADMIN},
        deny=NO_DOSSIER,
    ),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/publications",
        JUDGE_ONLY,
        ok=422,
        body={"material_ids": [MISSING], "party_refs": ["p-1"]},
        says="no material",
        deny=NO_DOSSIER,
    ),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/publications/{publication_id}/withdraw",
        JUDGE_ONLY,
        ok=404,
        ids={"publication_id": "dossier_none"},
        says="publication",
        deny=NO_DOSSIER,
    ),
    Line("GET", "/api/dossier/cases/{dossier_case_id}/grants", {ADMIN}, deny=NO_DOSSIER),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/grants",
        {ADMIN},
        ok=422,
        body={"user_id": MISSING, "purpose": "read", "ends_on": "2026-12-31"},
        says="not an active staff member",
        deny=NO_DOSSIER,
    ),
    Line(
        "DELETE",
        "/api/dossier/cases/{dossier_case_id}/grants/{grant_id}",
        {ADMIN},
        ok=404,
        ids={"grant_id": "dossier_none"},
        says="grant",
        deny=NO_DOSSIER,
    ),
    # The audit trail: the case's judge and the court's administrators; anyone else, the case's
    # clerk too, is told there is no such case.
    Line("GET", "/api/dossier/cases/{dossier_case_id}/audit", {JUDGE, ADMIN}, deny=NO_AUDIT),
    Line("GET", "/api/dossier/cases/{dossier_case_id}/audit.csv", {JUDGE, ADMIN}, deny=NO_AUDIT),
    Line(
        "GET",
        "/api/dossier/materials/{material_id}/comments",
        {JUDGE, ADMIN},
        ids={"material_id": "dossier_material_a"},
        deny=NO_DOSSIER,
    ),
    Line(
        "POST",
        "/api/dossier/materials/{material_id}/comments",
        JUDGE_ONLY,
        ok=422,
        ids={"material_id": "dossier_material_a"},
        body={"body": "意见", "page": 99},
        says="beyond",
        deny=NO_DOSSIER,
    ),
    # A party's own view: 张伟 (the plaintiff of hearing A) has material A published to him.
    Line("GET", "/api/dossier/my/cases", {PARTY, OTHER_PARTY, SIGNER}, deny=NOT_A_PARTY),
    Line(
        "GET",
        "/api/dossier/my/cases/{dossier_case_id}/materials",
        {PARTY, SIGNER},
        deny={**NOT_A_PARTY, **OTHER_CASE},
    ),
    Line(
        "GET",
        "/api/dossier/my/cases/{dossier_case_id}/materials/{material_id}/pdf",
        {PARTY},
        ids={"material_id": "dossier_material_a"},
        deny={**NOT_A_PARTY, **OTHER_CASE, SIGNER: (404, "not_found")},
    ),
    # ------------------------------------------------------------- the dossier: the archive
    # (case A is open; its judge and clerk are assigned by _dossier_archive_records)
    Line(
        "GET",
        "/api/dossier/cases/{dossier_case_id}/archive",
        JUDGE_CLERK | {ADMIN},
        deny=ARCHIVE_HIDDEN,
    ),
    Line(
        "PUT",
        "/api/dossier/cases/{dossier_case_id}/archive/arrangement",
        CLERK_ONLY,
        ok=409,
        body={},
        says="closed",
        deny=ARCHIVE_HIDDEN,
    ),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/archive/submit",
        CLERK_ONLY,
        ok=409,
        says="arrange",
        deny=ARCHIVE_HIDDEN,
    ),
    Line(
        "GET",
        "/api/dossier/cases/{dossier_case_id}/archive/evolume.pdf",
        JUDGE_CLERK | {ADMIN},
        ok=409,
        says="not archived",
        deny=ARCHIVE_HIDDEN,
    ),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/archive/borrowings",
        STAFF,
        ok=409,
        body={"reason": "类案参考", "days": 3},
        says="not archived",
        deny=PARTIES_NOT_FOUND,
    ),
    Line("GET", "/api/dossier/archive/borrowings", STAFF | {OTHER_COURT}, deny=PARTIES_NOT_FOUND),
    Line(
        "POST",
        "/api/dossier/archive/borrowings/{borrowing_id}/decision",
        STAFF | {OTHER_COURT},
        ok=404,
        body={"approve": True},
        says="borrowing",
        deny=PARTIES_NOT_FOUND,
    ),
    Line(
        "GET",
        "/api/dossier/archive/fixity",
        frozenset({ADMIN}),
        deny={**PARTIES_NOT_FOUND, **ROLE_FIRST},
    ),
    Line(
        "POST",
        "/api/dossier/archive/fixity/run",
        frozenset({ADMIN}),
        deny={**PARTIES_NOT_FOUND, **ROLE_FIRST},
    ),
    # ------------------------------------------------------------- dossier: the register
    Line("GET", "/api/dossier/cases", STAFF | {OTHER_COURT}),
    Line("GET", "/api/dossier/cases/{dossier_case_id}/summary", RECORD, deny=OTHER_CASE),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/close",
        JUDGE_CLERK,
        ok=422,
        body={"outcome": "judgment", "closed_on": "2200-01-01"},
        says="closing date",
        deny=NOT_STAFF_404,
    ),
    Line(
        "POST",
        "/api/dossier/cases/{dossier_case_id}/time-limit-events",
        JUDGE_CLERK | {ADMIN},
        ok=422,
        body={
            "kind": "extension",
            "months": 1,
            "approver": "president",
            "approved_by_name": "院长",
        },
        says="no time limit",
        deny=NOT_STAFF_404,
    ),
    Line("GET", "/api/dossier/stats", frozenset({JUDGE, ADMIN}), deny=ROLE_FIRST),
    Line("GET", "/api/dossier/stats.csv", frozenset({JUDGE, ADMIN}), deny=ROLE_FIRST),
    Line("GET", "/api/cases/{case_id}/hearings", STAFF),
    Line("GET", "/api/cases/{case_id}/documents", RECORD, deny=OTHER_CASE),
    Line(
        "GET",
        "/api/cases/{case_id}/documents/{document_id}",
        RECORD,
        ok=404,
        deny=OTHER_CASE,
        says="document",
    ),
    # ------------------------------------------------------------- hearings
    Line(
        "POST",
        "/api/cases/{case_id}/hearings",
        JUDGE_CLERK,
        ok=201,
        body={"scheduled_at": FUTURE, "duration_minutes": 30, "place": "第一法庭"},
    ),
    Line("GET", "/api/hearings", STAFF | {OTHER_COURT}),
    Line("GET", "/api/hearings/{hearing_id}", RECORD),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/reschedule",
        JUDGE_CLERK,
        ok=409,
        body={"scheduled_at": FUTURE, **STALE},
        says="changed meanwhile",
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/cancel",
        JUDGE_CLERK,
        ok=409,
        body=STALE,
        says="changed meanwhile",
    ),
    Line("POST", "/api/hearings/{hearing_id}/open", CLERK_ONLY, ok=409, says="cannot open"),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/close",
        CLERK_ONLY,
        ok=409,
        body=STALE,
        says="changed meanwhile",
    ),
    Line("GET", "/api/hearings/{hearing_id}/participants", RECORD),
    Line("GET", "/api/hearings/{hearing_id}/took-part", STAFF),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/participants",
        JUDGE_CLERK,
        ok=201,
        body={"display_name": "赵六", "court_role": "witness", "notify": False},
    ),
    Line("POST", "/api/participants/{participant_id}/invitation", JUDGE_CLERK, ok=201),
    Line("POST", "/api/participants/{participant_id}/invitation/reissue", JUDGE_CLERK, ok=201),
    Line("POST", "/api/participants/{participant_id}/invitations/revoke", JUDGE_CLERK),
    Line("POST", "/api/invitations/{invitation_id}/revoke", JUDGE_CLERK, ok=204),
    Line(
        "PUT",
        "/api/participants/{participant_id}/language",
        JUDGE_CLERK,
        body={"language": None},
    ),
    # ------------------------------------------------------------- notices
    Line("GET", "/api/hearings/{hearing_id}/notices", JUDGE_CLERK),
    Line("GET", "/api/hearings/{hearing_id}/notices/preview", JUDGE_CLERK),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/notices",
        JUDGE_CLERK,
        ok=409,
        says="scheduled hearing only",
    ),
    Line("POST", "/api/notices/{notice_id}/retry", JUDGE_CLERK, ok=202),
    # ------------------------------------------------------------- the live hearing
    Line(
        "POST",
        "/api/hearings/{hearing_id}/rtc/offer",
        HEARING,
        ok=400,
        body={"sdp": "v=0", "type": "offer"},
        says="SDP",
    ),
    Line("WS", "/ws/hearings/{hearing_id}/transcript", HEARING, ok=ACCEPTED),
    Line("WS", "/ws/hearings/{hearing_id}/document", HEARING, ok=ACCEPTED),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/participants/{participant_id}/mute",
        JUDGE_ONLY,
        body={"muted": False},
        deny=ROLE_FIRST,
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/participants/{participant_id}/remove",
        JUDGE_ONLY,
        deny=ROLE_FIRST,
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/participants/{participant_id}/readmit",
        JUDGE_ONLY,
        deny=ROLE_FIRST,
    ),
    Line("POST", "/api/hearings/{hearing_id}/leave", HEARING, ok=204),
    Line("POST", "/api/hearings/{hearing_id}/floor/hand", HEARING, ok=204, body={"raised": False}),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/floor",
        JUDGE_ONLY,
        ok=204,
        body={"action": "end"},
        deny=ROLE_FIRST,
    ),
    Line("GET", "/api/hearings/{hearing_id}/stages", HEARING),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/stage",
        JUDGE_ONLY,
        body={"stage": "identity"},
        deny=ROLE_FIRST,
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/participants/{participant_id}/identity",
        CLERK_ONLY,  # during the stage "identity" (the line above)
        body={"id_type": "resident_id", "id_last4": "123X"},
    ),
    Line("GET", "/api/hearings/{hearing_id}/broadcast", JUDGE_CLERK),
    Line(
        "PUT", "/api/hearings/{hearing_id}/broadcast", JUDGE_CLERK, body={"public_viewing": False}
    ),
    Line("GET", "/api/watch/{token}", EVERYONE, ids={"token": "watch_token"}),
    Line(
        "GET",
        "/watch/{token}/live.m3u8",
        EVERYONE,
        ok=404,
        ids={"token": "watch_token"},
        says="has not started",
    ),
    Line(
        "GET",
        "/watch/{token}/media/{run}/{name}",
        EVERYONE,
        ok=404,
        ids={"token": "watch_token"},
        says="no such broadcast segment",
    ),
    # ------------------------------------------------------------- evidence and screen
    Line(
        "POST",
        "/api/hearings/{hearing_id}/evidence",
        HEARING,
        ok=415,
        query={"filename": "a.pdf"},
        content=b"x",
        says="must be a PDF",
    ),
    Line("GET", "/api/hearings/{hearing_id}/evidence", HEARING),
    Line(
        "GET",
        "/api/hearings/{hearing_id}/evidence/{material_id}/pages/{page}",
        HEARING,
        ok_for={PARTY: 404},  # the clerk's file: parties see it once it is presented
        says="evidence",
    ),
    # The clerk's file: a party does not see it before it is presented; the judge presents it, the
    # others find it taken.
    Line(
        "POST",
        "/api/hearings/{hearing_id}/evidence/present",
        HEARING,
        ok=409,
        ok_for={PARTY: 404, JUDGE: 200},
        body={"material_id": Ref("material_a")},
        says=("正在出示", "evidence"),
        before=NOTHING_PRESENTED,
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/evidence/page",
        HEARING,
        ok=409,
        body={"page": 1},
        says="nothing is being presented",
        before=NOTHING_PRESENTED,
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/evidence/take-control",
        JUDGE_ONLY,
        ok=409,
        deny={SIGNER: (403, "record_only")},
        says="nothing is being presented",
        before=NOTHING_PRESENTED,
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/evidence/stop",
        HEARING,
        ok=409,
        says="nothing is being presented",
        before=NOTHING_PRESENTED,
    ),
    Line("GET", "/api/hearings/{hearing_id}/screen", HEARING),
    # Nobody shares; the party starts, the judge takes the screen over, the others find it taken.
    Line(
        "POST",
        "/api/hearings/{hearing_id}/screen/start",
        HEARING,
        ok=409,
        ok_for={PARTY: 200, JUDGE: 200},
        says="正在共享屏幕",
        before=((JUDGE, "POST", "/api/hearings/{hearing_id}/screen/stop"),),
    ),
    # The party shares: a party of another hearing may not stop it, the party does; then there is
    # nothing left to stop.
    Line(
        "POST",
        "/api/hearings/{hearing_id}/screen/stop",
        HEARING,
        ok=409,
        ok_for={PARTY: 200},
        says="nobody is sharing",
        before=(
            (JUDGE, "POST", "/api/hearings/{hearing_id}/screen/stop"),
            (PARTY, "POST", "/api/hearings/{hearing_id}/screen/start"),
        ),
    ),
    # ------------------------------------------------------------- the transcript
    Line("GET", "/api/hearings/{hearing_id}/transcript.{fmt}", HEARING),
    Line("GET", "/api/hearings/{hearing_id}/transcript/revisions", HEARING),
    Line(
        "DELETE",
        "/api/hearings/{hearing_id}/transcript/segments/{segment_id}",
        EDITORS,
        ok=404,
        says="segment",
    ),
    Line("POST", "/api/hearings/{hearing_id}/hotwords", EDITORS, body={"words": ["借条"]}),
    Line("GET", "/api/hearings/{hearing_id}/retranscription/models", EDITORS),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/retranscription/jobs",
        EDITORS,
        ok=409,
        body={"model": "none"},
        says="once the hearing is closed",
    ),
    Line("GET", "/api/hearings/{hearing_id}/retranscription/jobs", EDITORS),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/retranscription/jobs/{job_id}/cancel",
        EDITORS,
        ok=404,
        says="re-transcription job",
    ),
    Line("GET", "/api/hearings/{hearing_id}/retranscription/suggestions", EDITORS),
    Line(
        "POST", "/api/hearings/{hearing_id}/retranscription/suggestions/accept-untouched", EDITORS
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/retranscription/suggestions/{suggestion_id}/accept",
        EDITORS,
        ok=404,
        says="suggestion",
    ),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/retranscription/suggestions/{suggestion_id}/reject",
        EDITORS,
        ok=404,
        says="suggestion",
    ),
    # ------------------------------------------------------------- recordings
    Line(
        "GET",
        "/api/hearings/{hearing_id}/recordings",
        RECORD,
        ok=404,
        says="no finalised recording",
    ),
    Line(
        "GET",
        "/api/hearings/{hearing_id}/recordings/{name}.flac",
        RECORD,
        ok=404,
        says="no recording",
    ),
    Line(
        "GET",
        "/api/hearings/{hearing_id}/recordings.zip",
        RECORD,
        ok=404,
        says="no finalised recording",
    ),
    # ------------------------------------------------------------- closing and signing
    Line("GET", "/api/hearings/{hearing_id}/closing", RECORD),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/closing/freeze",
        JUDGE_ONLY,
        ok=409,
        says="only a closed hearing",
    ),
    _before_freeze("GET", "/document.pdf", RECORD),
    _before_freeze("GET", "/transcript.json", RECORD),
    _before_freeze("POST", "/objections", RECORD, body={"kind": "objection", "text": NOTE}),
    _before_freeze(
        "POST",
        "/objections/{request_id}/answer",
        JUDGE_CLERK,
        body={"decision": "rejected", "reason": NOTE},
    ),
    _before_freeze("POST", "/certificate", RECORD, body={"spki": SPKI}),
    _before_freeze("POST", "/prepare", RECORD, body={"handwriting_png": PNG_1PX, "confirm": True}),
    Line(
        "POST",
        "/api/hearings/{hearing_id}/closing/finish",
        RECORD,
        ok=404,
        body={"request_id": "none", "signature": SPKI},
        says="no such prepared signature",
    ),
    _before_freeze(
        "POST", "/slots/{key}/resolve", CLERK_ONLY, body={"status": "excused", "note": NOTE}
    ),
    _before_freeze("POST", "/slots/{key}/remind", CLERK_ONLY),
    _before_freeze(
        "POST",
        "/errata",
        JUDGE_CLERK,
        body={"segment_id": "seg-none", "before": "a", "after": "b", "reason": NOTE},
    ),
    _before_freeze("GET", "/verification", RECORD),
    # ------------------------------------------------------------- verification (public)
    Line("POST", "/api/verify", EVERYONE, ok=415, content=b"x", says="send the PDF"),
    Line("GET", "/api/court/root.pem", EVERYONE),
    Line("POST", "/tsa", EVERYONE, ok=415, content=b"x", says="TimeStampReq"),
)
