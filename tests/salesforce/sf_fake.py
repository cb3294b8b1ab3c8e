"""A local Salesforce REST API for tests: HTTPS on 127.0.0.1 (trustme CA), speaking the
resources simple-salesforce 1.12 uses, with the real shapes:

* ``POST /services/oauth2/token``: ``client_credentials`` (HTTP Basic) and
  ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (RS256 assertion checked against the
  connected app's certificate key: iss, sub, aud, exp); errors ``{"error",
  "error_description"}`` with 400.
* ``GET /services/data/`` (versions), ``GET /services/data/vXX.X/query/?q=SOQL`` with
  ``nextRecordsUrl`` paging (``/services/data/vXX.X/query/<locator>-<offset>``), child
  relationships ``null`` when empty, ``GET/POST/PATCH /sobjects/...``, ``describe``.
* Every ``/services/data`` answer carries ``Sforce-Limit-Info: api-usage=N/M``; errors are
  lists ``[{"message", "errorCode", "fields"}]``: ``INVALID_SESSION_ID`` 401,
  ``REQUEST_LIMIT_EXCEEDED`` 403, ``INVALID_FIELD`` / ``FIELD_CUSTOM_VALIDATION_EXCEPTION`` /
  ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`` / ``MALFORMED_QUERY`` 400, ``NOT_FOUND`` 404,
  injected 503 ``SERVER_UNAVAILABLE``.

The SOQL interpreter covers what the connector sends: field lists with dotted parent
fields, parent-to-child subqueries (WHERE / ORDER BY / LIMIT), WHERE with AND / OR / NOT,
``= != < <= > >= LIKE IN NOT IN``, semi-/anti-joins ``x [NOT] IN (SELECT y FROM ...)`` with
Salesforce's restrictions (see :meth:`FakeOrg.check_semi_joins`: not with OR or NOT, not
nested, at most two, one Id/reference field, another object), string / number / boolean /
null / datetime literals, ORDER BY with ASC / DESC / NULLS FIRST / LAST, LIMIT. It refuses
filters on textarea fields and unknown columns like Salesforce does.

Inserting an EmailMessage never touches its parent Case (Email-to-Case does not promise it).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import socket
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

API_VERSIONS = ["57.0", "58.0", "59.0", "60.0", "61.0", "62.0"]

# --- schema -------------------------------------------------------------------------------
S, TA, DT, B, REF, PICK, ID, EMAIL = "string", "textarea", "datetime", "boolean", "reference", "picklist", "id", "email"
SYSTEM_READONLY = {"Id", "SystemModstamp", "CreatedDate", "LastModifiedDate", "CaseNumber", "CreatedById"}

SCHEMA: dict[str, dict[str, Any]] = {
    "Case": {
        "prefix": "500",
        "fields": {
            "Id": ID, "CaseNumber": S, "Subject": S, "Status": PICK, "Priority": PICK, "Origin": PICK, "Type": PICK,
            "Description": TA, "SystemModstamp": DT, "CreatedDate": DT, "LastModifiedDate": DT, "OwnerId": REF,
            "ContactId": REF, "AccountId": REF, "RecordTypeId": REF, "ContactEmail": EMAIL, "IsEscalated": B,
            "Needs_Review__c": B, "Internal_Notes__c": TA, "Product__c": S,
        },
        "parents": {"Contact": ("ContactId", "Contact"), "Account": ("AccountId", "Account"),
                    "RecordType": ("RecordTypeId", "RecordType"), "Owner": ("OwnerId", "Group")},
        "children": {"EmailMessages": ("EmailMessage", "ParentId"), "CaseComments": ("CaseComment", "ParentId"),
                     "Feeds": ("FeedItem", "ParentId")},
        "picklists": {"Priority": ["High", "Medium", "Low"]},
    },
    "EmailMessage": {
        "prefix": "02s",
        "fields": {
            "Id": ID, "ParentId": REF, "Incoming": B, "Status": PICK, "Subject": S, "FromAddress": EMAIL, "FromName": S,
            "ToAddress": S, "CcAddress": S, "MessageDate": DT, "CreatedDate": DT, "SystemModstamp": DT,
            "LastModifiedDate": DT, "MessageIdentifier": S, "ThreadIdentifier": S, "Headers": TA, "TextBody": TA, "HtmlBody": TA,
            "HasAttachment": B, "ReplyToEmailMessageId": REF, "Draftguard_Key__c": S,
        },
        "parents": {"Parent": ("ParentId", "Case")},
        "children": {},
        "external_ids": {"Draftguard_Key__c"},
    },
    "CaseComment": {
        "prefix": "00a",
        "fields": {"Id": ID, "ParentId": REF, "CommentBody": TA, "IsPublished": B, "CreatedDate": DT, "SystemModstamp": DT,
                   "LastModifiedDate": DT},
        "parents": {"Parent": ("ParentId", "Case")},
        "children": {},
    },
    "FeedItem": {
        "prefix": "0D5",
        "fields": {"Id": ID, "ParentId": REF, "Body": TA, "Type": PICK, "CreatedDate": DT, "SystemModstamp": DT},
        "parents": {},
        "children": {},
    },
    "Account": {"prefix": "001", "fields": {"Id": ID, "Name": S, "SystemModstamp": DT, "CreatedDate": DT}, "parents": {}, "children": {}},
    "Contact": {"prefix": "003", "fields": {"Id": ID, "Name": S, "Email": EMAIL, "AccountId": REF, "SystemModstamp": DT, "CreatedDate": DT},
                "parents": {"Account": ("AccountId", "Account")}, "children": {}},
    "Group": {"prefix": "00G", "fields": {"Id": ID, "DeveloperName": S, "Name": S, "Type": PICK, "SystemModstamp": DT, "CreatedDate": DT},
              "parents": {}, "children": {}},
    "RecordType": {"prefix": "012", "fields": {"Id": ID, "DeveloperName": S, "SobjectType": S, "SystemModstamp": DT, "CreatedDate": DT},
                   "parents": {}, "children": {}},
}


def sf_datetime(dt: datetime) -> str:
    """Salesforce's JSON datetime format: ``2024-05-01T10:00:00.000+0000``."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def parse_dt(s: str) -> datetime:
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    m = re.match(r"^(.*[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-])(\d{2}):?(\d{2})$", s)
    if m:
        s = f"{m.group(1)}{m.group(2)}{m.group(3)}:{m.group(4)}"
    dt = datetime.fromisoformat(s)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class SfError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None):
        self.status, self.code, self.message, self.fields = status, code, message, fields or []
        super().__init__(message)

    def body(self) -> list[dict[str, Any]]:
        item: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.status == 400 and self.code != "MALFORMED_QUERY":
            item["fields"] = self.fields
        return [item]


# --- SOQL ---------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:\\.|[^'\\])*')
     |(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
     |(?P<date>\d{4}-\d{2}-\d{2})
     |(?P<num>-?\d+(?:\.\d+)?)
     |(?P<op><=|>=|!=|<>|=|<|>)
     |(?P<punct>[(),])
     |(?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.X,
)
_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\", "%": "\\%", "_": "\\_"}


@dataclass
class Query:
    fields: list[Any]
    obj: str
    where: Any = None
    order: list[tuple[str, bool, bool | None]] = field(default_factory=list)
    limit: int | None = None


def _tokens(q: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    q = q.rstrip()
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m or m.end() == pos:
            raise SfError(400, "MALFORMED_QUERY", f"unexpected token at position {pos}: {q[pos:pos + 20]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, q: str):
        self.toks = _tokens(q)
        self.i = 0

    def peek(self, k: int = 0) -> tuple[str, str] | None:
        return self.toks[self.i + k] if self.i + k < len(self.toks) else None

    def kw(self, word: str) -> bool:
        t = self.peek()
        if t and t[0] == "ident" and t[1].upper() == word:
            self.i += 1
            return True
        return False

    def expect_kw(self, word: str) -> None:
        if not self.kw(word):
            raise SfError(400, "MALFORMED_QUERY", f"expecting {word}, found {self.peek()}")

    def punct(self, p: str) -> bool:
        t = self.peek()
        if t and t[0] == "punct" and t[1] == p:
            self.i += 1
            return True
        return False

    def ident(self) -> str:
        t = self.peek()
        if not t or t[0] != "ident":
            raise SfError(400, "MALFORMED_QUERY", f"expecting a field name, found {t}")
        self.i += 1
        return t[1]

    def query(self) -> Query:
        self.expect_kw("SELECT")
        fields: list[Any] = []
        while True:
            if self.punct("("):
                fields.append(self.query())
                if not self.punct(")"):
                    raise SfError(400, "MALFORMED_QUERY", "expecting )")
            else:
                fields.append(self.ident())
            if not self.punct(","):
                break
        self.expect_kw("FROM")
        q = Query(fields=fields, obj=self.ident())
        if self.kw("WHERE"):
            q.where = self.or_expr()
        if self.kw("ORDER"):
            self.expect_kw("BY")
            while True:
                f = self.ident()
                desc = False
                if self.kw("DESC"):
                    desc = True
                else:
                    self.kw("ASC")
                nulls_last = None
                if self.kw("NULLS"):
                    nulls_last = self.kw("LAST") or (not self.kw("FIRST"))
                q.order.append((f, desc, nulls_last))
                if not self.punct(","):
                    break
        if self.kw("LIMIT"):
            t = self.peek()
            self.i += 1
            q.limit = int(t[1])
        return q

    def or_expr(self):
        parts = [self.and_expr()]
        while self.kw("OR"):
            parts.append(self.and_expr())
        return ("or", parts) if len(parts) > 1 else parts[0]

    def and_expr(self):
        parts = [self.not_expr()]
        while self.kw("AND"):
            parts.append(self.not_expr())
        return ("and", parts) if len(parts) > 1 else parts[0]

    def not_expr(self):
        if self.kw("NOT"):
            return ("not", self.not_expr())
        if self.punct("("):
            e = self.or_expr()
            if not self.punct(")"):
                raise SfError(400, "MALFORMED_QUERY", "expecting )")
            return e
        return self.comparison()

    def value(self) -> Any:
        t = self.peek()
        if t is None:
            raise SfError(400, "MALFORMED_QUERY", "expecting a value")
        self.i += 1
        kind, text = t
        if kind == "str":
            body = text[1:-1]
            return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), body)
        if kind == "dt":
            return parse_dt(text)
        if kind == "date":
            return datetime.fromisoformat(text).replace(tzinfo=UTC)
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "ident" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if kind == "ident" and text.lower() == "null":
            return None
        raise SfError(400, "MALFORMED_QUERY", f"unexpected value {text!r}")

    def comparison(self):
        f = self.ident()
        negate = False
        if self.kw("NOT"):
            negate = True
            self.expect_kw("IN")
            return self._in(f, negate)
        if self.kw("IN"):
            return self._in(f, negate)
        if self.kw("LIKE"):
            return ("like", f, self.value())
        t = self.peek()
        if not t or t[0] != "op":
            raise SfError(400, "MALFORMED_QUERY", f"expecting an operator after {f}, found {t}")
        self.i += 1
        return ("cmp", f, t[1], self.value())

    def _in(self, f: str, negate: bool):
        if not self.punct("("):
            raise SfError(400, "MALFORMED_QUERY", "expecting ( after IN")
        t = self.peek()
        if t and t[0] == "ident" and t[1].upper() == "SELECT":
            sub = self.query()
            self.punct(")")
            return ("in", f, sub, negate)
        values = []
        while True:
            values.append(self.value())
            if not self.punct(","):
                break
        if not self.punct(")"):
            raise SfError(400, "MALFORMED_QUERY", "expecting )")
        return ("in", f, values, negate)


def _like_regex(pattern: str) -> str:
    """SOQL LIKE → regex: ``%`` any run, ``_`` one character, ``\\%`` / ``\\_`` literal."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return "".join(out)


def parse_soql(q: str) -> Query:
    p = _Parser(q)
    query = p.query()
    if p.peek() is not None:
        raise SfError(400, "MALFORMED_QUERY", f"unexpected token {p.peek()}")
    return query


# --- the org --------------------------------------------------------------------------------
class FakeOrg:
    """In-memory records plus the SOQL/DML semantics. ``clock`` is the server's time."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, dict[str, Any]]] = {o: {} for o in SCHEMA}
        self.deleted: dict[str, set[str]] = {}  # Ids removed by DELETE (answer ENTITY_IS_DELETED)
        # server clock: starts an hour before real time and moves only when tests tick it
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        self.hidden_fields: set[tuple[str, str]] = set()  # field-level security: not visible
        self.readonly_fields: set[tuple[str, str]] = set()
        self.validation_rules: list[Any] = []  # callables (obj, record) -> None | (field|None, message)
        self.child_batch_size: int | None = None  # page child relationships longer than this
        self.cursors: dict[str, list[dict[str, Any]]] = {}  # query locator -> all result rows
        self._semi_cache: dict[int, set[str]] | None = None  # semi-join values during one query
        self._seq = itertools.count(1)
        self._case_no = itertools.count(1001)
        self.lock = threading.RLock()

    def tick(self, seconds: float = 1.0) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def new_id(self, obj: str) -> str:
        n = next(self._seq)
        return f"{SCHEMA[obj]['prefix']}Dg{n:010d}AAA"  # 18 characters like a real Id

    def field_type(self, obj: str, name: str) -> str | None:
        if (obj, name) in self.hidden_fields:
            return None
        for f, t in SCHEMA[obj]["fields"].items():
            if f.lower() == name.lower():
                return t
        return None

    def canon(self, obj: str, name: str) -> str:
        for f in SCHEMA[obj]["fields"]:
            if f.lower() == name.lower():
                return f
        return name

    # records
    def insert(self, obj: str, values: dict[str, Any], *, stamp: datetime | None = None) -> dict[str, Any]:
        """Insert directly (test setup; no permission checks)."""
        with self.lock:
            rec = {f: None for f in SCHEMA[obj]["fields"]}
            rec.update(values)
            rec["Id"] = rec.get("Id") or self.new_id(obj)
            ts = sf_datetime(stamp or self.now)
            rec["CreatedDate"] = rec.get("CreatedDate") or ts
            rec["SystemModstamp"] = ts
            if "LastModifiedDate" in rec:
                rec["LastModifiedDate"] = ts
            if obj == "Case" and not rec.get("CaseNumber"):
                rec["CaseNumber"] = f"{next(self._case_no):08d}"
            for b, t in SCHEMA[obj]["fields"].items():
                if t == B and rec.get(b) is None:
                    rec[b] = False
            self.tables[obj][rec["Id"]] = rec
            return rec

    def touch(self, obj: str, rec_id: str, **changes: Any) -> None:
        with self.lock:
            rec = self.tables[obj][rec_id]
            rec.update(changes)
            rec["SystemModstamp"] = sf_datetime(self.now)
            if "LastModifiedDate" in rec:
                rec["LastModifiedDate"] = rec["SystemModstamp"]

    def _check_writable(self, obj: str, data: dict[str, Any], *, create: bool) -> dict[str, Any]:
        out = {}
        bad = []
        for k, v in data.items():
            t = self.field_type(obj, k)
            if t is None:
                raise SfError(400, "INVALID_FIELD", f"No such column '{k}' on sobject of type {obj}")
            name = self.canon(obj, k)
            if name in SYSTEM_READONLY or (obj, name) in self.readonly_fields:
                bad.append(name)
                continue
            if not create and obj == "EmailMessage":
                pass
            allowed = SCHEMA[obj].get("picklists", {}).get(name)
            if allowed and v is not None and v not in allowed:
                raise SfError(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f"{name}: bad value for restricted picklist field: {v}", [name])
            out[name] = v
        if bad:
            raise SfError(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(bad)}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                bad,
            )
        return out

    def _validate(self, obj: str, rec: dict[str, Any]) -> None:
        for rule in self.validation_rules:
            res = rule(obj, rec)
            if res:
                fld, msg = res
                raise SfError(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", msg, [fld] if fld else [])

    def create(self, obj: str, data: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            values = self._check_writable(obj, data, create=True)
            for ext in SCHEMA[obj].get("external_ids", ()):
                if values.get(ext) is not None and any(r.get(ext) == values[ext] for r in self.tables[obj].values()):
                    raise SfError(400, "DUPLICATE_VALUE", f"duplicate value found: {ext} duplicates value on record with id", [ext])
            if obj in ("EmailMessage", "CaseComment", "FeedItem") and values.get("ParentId") not in self.tables["Case"]:
                raise SfError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["ParentId"])
            candidate = {f: None for f in SCHEMA[obj]["fields"]} | values
            self._validate(obj, candidate)
            if obj == "EmailMessage" and candidate.get("MessageDate") is None:
                values["MessageDate"] = sf_datetime(self.now)
            return self.insert(obj, values)

    def update(self, obj: str, rec_id: str, data: dict[str, Any]) -> None:
        with self.lock:
            if rec_id not in self.tables[obj]:
                raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
            values = self._check_writable(obj, data, create=False)
            candidate = dict(self.tables[obj][rec_id]) | values
            self._validate(obj, candidate)
            self.touch(obj, rec_id, **values)

    def delete(self, obj: str, rec_id: str) -> None:
        """DELETE /sobjects/{obj}/{id}: a deleted record answers 404 ENTITY_IS_DELETED, an
        unknown one 404 NOT_FOUND [REST API Developer Guide, "Delete a Record"]. Deleting a
        child does not touch its parent's SystemModstamp."""
        with self.lock:
            if rec_id in self.deleted.get(obj, set()):
                raise SfError(404, "ENTITY_IS_DELETED", "entity is deleted")
            if rec_id not in self.tables[obj]:
                raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
            del self.tables[obj][rec_id]
            self.deleted.setdefault(obj, set()).add(rec_id)

    # queries
    def _resolve(self, obj: str, rec: dict[str, Any] | None, path: str) -> Any:
        parts = path.split(".")
        if parts[0].lower() == obj.lower() and len(parts) > 1:
            parts = parts[1:]
        cur_obj, cur = obj, rec
        for i, part in enumerate(parts):
            if cur is None:
                return None
            if i == len(parts) - 1:
                return cur.get(self.canon(cur_obj, part))
            rel = next((r for r in SCHEMA[cur_obj]["parents"] if r.lower() == part.lower()), None)
            fk, target = SCHEMA[cur_obj]["parents"][rel]
            cur = self.tables[target].get(cur.get(fk)) if cur.get(fk) else None
            cur_obj = target
        return None

    def _check_path(self, obj: str, path: str, *, filtering: bool = False) -> str:
        parts = path.split(".")
        if parts[0].lower() == obj.lower() and len(parts) > 1:
            parts = parts[1:]
        cur = obj
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                t = self.field_type(cur, part)
                if t is None:
                    raise SfError(
                        400,
                        "INVALID_FIELD",
                        f"\n{path}\n^\nERROR at Row:1:Column:1\nNo such column '{part}' on entity '{cur}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                    )
                if filtering and t == TA:
                    raise SfError(400, "INVALID_FIELD", f"\n{path}\n^\nERROR at Row:1:Column:1\nfield '{part}' can not be filtered in a query call")
                return t
            rel = next((r for r in SCHEMA[cur]["parents"] if r.lower() == part.lower()), None)
            if rel is None:
                raise SfError(400, "INVALID_FIELD", f"Didn't understand relationship '{part}' in field path. No such column '{part}' on entity '{cur}'")
            cur = SCHEMA[cur]["parents"][rel][1]
        return S

    @staticmethod
    def _cmp_value(t: str, v: Any) -> Any:
        if v is None:
            return None
        if t == DT:
            return v if isinstance(v, datetime) else parse_dt(str(v))
        if isinstance(v, str):
            return v.lower()
        return v

    def _eval(self, obj: str, rec: dict[str, Any], e: Any) -> bool:
        kind = e[0]
        if kind == "and":
            return all(self._eval(obj, rec, x) for x in e[1])
        if kind == "or":
            return any(self._eval(obj, rec, x) for x in e[1])
        if kind == "not":
            return not self._eval(obj, rec, e[1])
        f = e[1]
        t = self._check_path(obj, f, filtering=True)
        actual = self._cmp_value(t, self._resolve(obj, rec, f))
        if kind == "like":
            if actual is None:
                return False
            return re.fullmatch(_like_regex(str(e[2]).lower()), str(actual), re.S) is not None
        if kind == "in":
            target = e[2]
            if isinstance(target, Query):
                values = self._semi_values(target)
            else:
                values = {self._cmp_value(t, v) for v in target}
            res = actual in values
            return not res if e[3] else res
        op, want = e[2], self._cmp_value(t, e[3])
        if op == "=":
            return actual == want
        if op in ("!=", "<>"):
            return actual != want
        if actual is None or want is None:
            return False
        return {"<": actual < want, "<=": actual <= want, ">": actual > want, ">=": actual >= want}[op]

    def _sort(self, obj: str, rows: list[dict[str, Any]], order) -> list[dict[str, Any]]:
        for f, desc, nulls_last in reversed(order):
            t = self._check_path(obj, f)
            nl = (desc if nulls_last is None else nulls_last)
            present = [r for r in rows if self._resolve(obj, r, f) is not None]
            absent = [r for r in rows if self._resolve(obj, r, f) is None]
            present.sort(key=lambda r, f=f, t=t: self._cmp_value(t, self._resolve(obj, r, f)), reverse=desc)
            rows = present + absent if nl else absent + present
        return rows

    def _project(self, obj: str, rec: dict[str, Any], fields: list[Any], version: str) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": obj, "url": f"/services/data/v{version}/sobjects/{obj}/{rec['Id']}"}}
        for f in fields:
            if isinstance(f, Query):
                out[self._child_rel_name(obj, f.obj)] = self._child_result(obj, rec, f, version)
                continue
            parts = f.split(".")
            if parts[0].lower() == obj.lower() and len(parts) > 1:
                parts = parts[1:]
            if len(parts) == 1:
                out[self.canon(obj, parts[0])] = rec.get(self.canon(obj, parts[0]))
                continue
            rel = next(r for r in SCHEMA[obj]["parents"] if r.lower() == parts[0].lower())
            fk, target = SCHEMA[obj]["parents"][rel]
            parent = self.tables[target].get(rec.get(fk)) if rec.get(fk) else None
            if parent is None:
                out[rel] = None
                continue
            sub = out.get(rel) or {"attributes": {"type": target, "url": f"/services/data/v{version}/sobjects/{target}/{parent['Id']}"}}
            sub[self.canon(target, parts[1])] = parent.get(self.canon(target, parts[1]))
            out[rel] = sub
        return out

    def _child_rel_name(self, obj: str, name: str) -> str:
        rel = next((r for r in SCHEMA[obj]["children"] if r.lower() == name.lower()), None)
        if rel is None:
            raise SfError(400, "INVALID_TYPE", f"Didn't understand relationship '{name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.")
        return rel

    def _child_result(self, obj: str, rec: dict[str, Any], sub: Query, version: str) -> dict[str, Any] | None:
        rel = self._child_rel_name(obj, sub.obj)
        child_obj, fk = SCHEMA[obj]["children"][rel]
        rows = [r for r in self.tables[child_obj].values() if r.get(fk) == rec["Id"]]
        if sub.where is not None:
            rows = [r for r in rows if self._eval(child_obj, r, sub.where)]
        rows = self._sort(child_obj, rows, sub.order)
        if sub.limit is not None:
            rows = rows[: sub.limit]
        if not rows:
            return None  # Salesforce sends null, not an empty list
        projected = [self._project(child_obj, r, sub.fields, version) for r in rows]
        size = self.child_batch_size
        if size is None or len(projected) <= size:
            return {"totalSize": len(projected), "done": True, "records": projected}
        locator = "01gDg" + uuid.uuid4().hex[:13].upper()
        self.cursors[locator] = projected
        return {"totalSize": len(projected), "done": False, "nextRecordsUrl": f"/services/data/v{version}/query/{locator}-{size}", "records": projected[:size]}

    # semi-joins ---------------------------------------------------------------------------
    def _semi_values(self, target: Query) -> set[str]:
        """The (lower-cased) values a semi-join sub-select returns; computed once per query."""
        cache = self._semi_cache
        if cache is not None and id(target) in cache:
            return cache[id(target)]
        sel = target.fields[0]
        values = {str(self._resolve(target.obj, r, sel)).lower() for r in self.run(target, raw=True)}
        if cache is not None:
            cache[id(target)] = values
        return values

    def _reference_target(self, obj: str, name: str) -> str | None:
        """The object a reference field of ``obj`` points to (``EmailMessage.ParentId`` → Case)."""
        for fk, target in SCHEMA[obj]["parents"].values():
            if fk.lower() == name.lower():
                return target
        return None

    def check_semi_joins(self, q: Query) -> None:
        """Refuse semi-/anti-joins the way Salesforce does [SOQL and SOSL Reference,
        Semi-Join and Anti-Join Restrictions; Comparison Operators]:

        * only in the main WHERE, as top-level conjuncts: not with ``OR``, not under ``NOT``
          (write ``NOT IN`` instead), not inside another sub-select's WHERE (no nesting), not
          in a parent-to-child sub-select of the SELECT list;
        * at most two per WHERE clause;
        * the left operand is one Id or reference field of the main object, without a
          relationship path (``Account.Id IN (...)`` is refused);
        * the sub-select queries exactly one Id or reference field, without dot notation, on
          another object than the main query, of the same object type as the left operand;
        * no ``ORDER BY`` or ``LIMIT`` in the sub-select.

        Relationship paths and ``OR`` between plain conditions inside the sub-select's own
        WHERE are allowed (the reference's own example filters ``Parent.Type`` there). The
        message texts of the OR / nesting / same-object cases are Salesforce's; the others
        state the documented rule in our words."""

        def is_semi(e: Any) -> bool:
            return e[0] == "in" and isinstance(e[2], Query)

        def walk(e: Any, path: tuple[str, ...], found: list[Any]) -> None:
            if e is None:
                return
            if e[0] in ("and", "or"):
                for x in e[1]:
                    walk(x, (*path, e[0]), found)
            elif e[0] == "not":
                walk(e[1], (*path, "not"), found)
            elif is_semi(e):
                if "or" in path:
                    raise SfError(400, "MALFORMED_QUERY", "Semi join sub-selects are not allowed with the 'OR' operator")
                if "not" in path:
                    raise SfError(
                        400,
                        "MALFORMED_QUERY",
                        "Semi join sub-selects are only allowed at the top level WHERE expressions and not in nested WHERE expressions.",
                    )
                found.append(e)

        def refuse_nested(e: Any) -> None:
            found: list[Any] = []
            if e is not None:
                walk(e, (), found)
            if found:
                raise SfError(400, "MALFORMED_QUERY", "Nesting of semi join sub-selects is not supported")

        for f in q.fields:
            if isinstance(f, Query):
                refuse_nested(f.where)
        found: list[Any] = []
        walk(q.where, (), found)
        if len(found) > 2:
            raise SfError(400, "MALFORMED_QUERY", "No more than two semi join or anti join sub-selects are allowed in one WHERE clause")
        for _, left, sub, _negate in found:
            if "." in left:
                raise SfError(400, "MALFORMED_QUERY", f"The left operand of a semi join can't use relationships: '{left}'")
            left_type = self._check_path(q.obj, left, filtering=True)
            if left_type not in (ID, REF):
                raise SfError(400, "MALFORMED_QUERY", f"The left operand of a semi join must be an Id or reference field: '{left}'")
            if sub.obj not in SCHEMA:
                raise SfError(400, "INVALID_TYPE", f"sObject type '{sub.obj}' is not supported.")
            if sub.obj == q.obj:
                raise SfError(400, "MALFORMED_QUERY", "The inner and outer selects should not be on the same object type")
            if len(sub.fields) != 1 or isinstance(sub.fields[0], Query):
                raise SfError(400, "MALFORMED_QUERY", "semi join sub-selects can only query one Id or reference field")
            sel = sub.fields[0]
            if "." in sel:
                raise SfError(400, "MALFORMED_QUERY", f"The selected field of a semi join sub-select can't traverse relationships: '{sel}'")
            sel_type = self._check_path(sub.obj, sel)
            if sel_type not in (ID, REF):
                raise SfError(400, "MALFORMED_QUERY", f"semi join sub selects can only query id fields, cannot use: '{sel}'")
            if sub.order or sub.limit is not None:
                raise SfError(400, "MALFORMED_QUERY", "ORDER BY and LIMIT are not supported in semi join sub-selects")
            refuse_nested(sub.where)
            if sub.where is not None:  # unknown or textarea fields in the sub-select's WHERE
                self._check_where(sub.obj, sub.where)
            want = q.obj if left_type == ID else self._reference_target(q.obj, left)
            got = sub.obj if sel_type == ID else self._reference_target(sub.obj, sel)
            if want is not None and got is not None and want != got:
                raise SfError(400, "MALFORMED_QUERY", f"The semi join sub-select on {sub.obj}.{sel} does not return {want} Ids")

    def _check_where(self, obj: str, e: Any) -> None:
        """Every field a WHERE filters on exists and is filterable (checked even when no row is read)."""
        if e[0] in ("and", "or"):
            for x in e[1]:
                self._check_where(obj, x)
        elif e[0] == "not":
            self._check_where(obj, e[1])
        else:
            self._check_path(obj, e[1], filtering=True)

    def run(self, q: Query, version: str = "59.0", raw: bool = False) -> list[dict[str, Any]]:
        """Rows of ``q`` projected to its fields; ``raw`` (a semi-join sub-select): the stored rows."""
        if q.obj not in SCHEMA:
            raise SfError(400, "INVALID_TYPE", f"sObject type '{q.obj}' is not supported.")
        if raw:
            return self._run(q, version, raw)
        self.check_semi_joins(q)
        if q.where is not None:
            self._check_where(q.obj, q.where)
        with self.lock:
            self._semi_cache = {}
            try:
                return self._run(q, version, raw)
            finally:
                self._semi_cache = None

    def _run(self, q: Query, version: str, raw: bool) -> list[dict[str, Any]]:
        for f in q.fields:
            if isinstance(f, Query):
                rel = self._child_rel_name(q.obj, f.obj)
                child_obj = SCHEMA[q.obj]["children"][rel][0]
                for cf in f.fields:
                    self._check_path(child_obj, cf)
            else:
                self._check_path(q.obj, f)
        with self.lock:
            rows = list(self.tables[q.obj].values())
            if q.where is not None:
                rows = [r for r in rows if self._eval(q.obj, r, q.where)]
            rows = self._sort(q.obj, rows, q.order)
            if q.limit is not None:
                rows = rows[: q.limit]
            if raw:
                return rows
            return [self._project(q.obj, r, q.fields, version) for r in rows]

    def describe(self, obj: str) -> dict[str, Any]:
        fields = []
        for f, t in SCHEMA[obj]["fields"].items():
            if (obj, f) in self.hidden_fields:
                continue
            writable = f not in SYSTEM_READONLY and (obj, f) not in self.readonly_fields
            fields.append(
                {
                    "name": f,
                    "type": t,
                    "createable": writable,
                    "updateable": writable and not (obj == "EmailMessage" and f in ("Incoming", "ParentId")),
                    "filterable": t != TA,
                    "nillable": f != "Id",
                    "externalId": f in SCHEMA[obj].get("external_ids", ()),
                    "length": 32000 if t == TA else 255,
                }
            )
        return {"name": obj, "queryable": True, "createable": True, "updateable": obj != "Group", "fields": fields}


# --- HTTP -----------------------------------------------------------------------------------
@dataclass
class Fault:
    """Answer the next ``times`` requests matching ``method`` and ``path`` (regex) with
    ``status`` + ``body`` (JSON, or bytes sent as an HTML page). ``apply_first`` performs the request before failing (a write that
    happened although the client saw an error). ``drop`` closes the connection instead."""

    method: str
    path: str
    status: int = 503
    body: Any = None
    times: int = 1
    apply_first: bool = False
    drop: bool = False


@dataclass
class ConnectedApp:
    client_id: str = "3MVG9.draftguard.test"
    client_secret: str = "s3cr3t"
    username: str = "integration@acme.example"
    public_key_pem: bytes | None = None
    audience: str = "https://login.salesforce.com"


class FakeSalesforce:
    """The HTTPS server. Use as a context manager; ``url`` is ``https://127.0.0.1:PORT``."""

    def __init__(self, ca, *, api_limit: int = 15000, batch_size: int = 2000):
        self.org = FakeOrg()
        self.app = ConnectedApp()
        self.api_limit = api_limit
        self.api_used = 0
        self.batch_size = batch_size
        self.tokens: set[str] = set()
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.token_grants: list[str] = []
        self.queries: list[str] = []  # SOQL text of every query request
        self._lock = threading.Lock()
        cert = ca.issue_cert("127.0.0.1")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self.domain = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FakeSalesforce:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # helpers for tests
    def expire_tokens(self) -> None:
        """Revoke every access token: the next API call answers 401 INVALID_SESSION_ID."""
        self.tokens.clear()

    def api_calls(self) -> int:
        """Requests to /services/data so far (what counts against the allocation)."""
        return sum(1 for _, p in self.requests if p.startswith("/services/data"))

    def calls(self, method: str | None = None, contains: str = "") -> list[tuple[str, str]]:
        return [(m, p) for m, p in self.requests if (method is None or m == method) and contains in p]

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.method == method and re.search(f.path, path) and f.times > 0:
                    f.times -= 1
                    return f
        return None

    def issue_token(self) -> str:
        tok = "00DDg0000000001!" + uuid.uuid4().hex
        self.tokens.add(tok)
        return tok


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSalesforce
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY: with Nagle on, the body waits for the ACK of the headers, which the client delays up to 40 ms

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
        # plus the client's delayed ACK adds ~40 ms to every answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    # plumbing
    def _send(self, status: int, body: Any = None, *, limit_header: bool = True) -> None:
        raw = isinstance(body, bytes)
        data = b"" if body is None else body if raw else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "text/html;charset=UTF-8" if raw else "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        if limit_header:
            self.send_header("Sforce-Limit-Info", f"api-usage={self.fake.api_used}/{self.fake.api_limit}")
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        path = parts.path
        fake.requests.append((method, path))
        body = self._body()
        if path == "/services/oauth2/token" and method == "POST":
            return self._token(body)
        if not path.startswith("/services/data"):
            return self._send(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}], limit_header=False)
        if path.rstrip("/") == "/services/data":
            return self._send(200, [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v} for v in API_VERSIONS])
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in fake.tokens:
            return self._send(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        fake.api_used += 1
        if fake.api_used > fake.api_limit:
            return self._send(403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
        fault = fake._fault_for(method, path)
        if fault and not fault.apply_first:
            return self._fail(fault)
        try:
            status, out = self._api(method, path, parts.query, body)
        except SfError as exc:
            return self._send(exc.status, exc.body())
        if fault:
            return self._fail(fault)
        return self._send(status, out)

    def _fail(self, fault: Fault) -> None:
        if fault.drop:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        body = fault.body if fault.body is not None else [{"message": "Server unavailable", "errorCode": "SERVER_UNAVAILABLE"}]
        self._send(fault.status, body)

    def _token(self, body: bytes) -> None:
        fake = self.fake
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        grant = form.get("grant_type")
        fake.token_grants.append(grant or "")
        app = fake.app
        fault = fake._fault_for("POST", "/services/oauth2/token")
        if fault:
            return self._fail(fault)
        if grant == "client_credentials":
            auth = self.headers.get("Authorization", "")
            try:
                cid, _, secret = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
            except ValueError:
                cid, secret = "", ""
            if cid != app.client_id or secret != app.client_secret:
                return self._send(400, {"error": "invalid_client", "error_description": "invalid client credentials"}, limit_header=False)
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                claims = jwt.decode(form.get("assertion", ""), app.public_key_pem, algorithms=["RS256"], audience=app.audience)
            except jwt.PyJWTError as exc:
                return self._send(400, {"error": "invalid_grant", "error_description": f"invalid assertion: {exc}"}, limit_header=False)
            if claims.get("iss") != app.client_id:
                return self._send(400, {"error": "invalid_client_id", "error_description": "client identifier invalid"}, limit_header=False)
            if claims.get("sub") != app.username:
                return self._send(400, {"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}, limit_header=False)
        else:
            return self._send(400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}, limit_header=False)
        tok = fake.issue_token()
        answer = {
            "access_token": tok,
            "signature": base64.b64encode(uuid.uuid4().bytes).decode(),
            "scope": "api",
            "instance_url": fake.url,
            "id": f"{fake.url}/id/00DDg0000000001/005Dg0000000001",
            "token_type": "Bearer",
            "issued_at": str(int(fake.org.now.timestamp() * 1000)),
        }
        return self._send(200, answer, limit_header=False)

    def _api(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        fake, org = self.fake, self.fake.org
        m = re.match(r"^/services/data/v(\d+\.\d)/(.*)$", path)
        if not m:
            raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
        version, rest = m.group(1), m.group(2)
        if version not in API_VERSIONS:
            raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
        rest = rest.rstrip("/")
        if rest == "query" and method == "GET":
            q = parse_qs(query).get("q", [""])[0]
            fake.queries.append(q)
            rows = org.run(parse_soql(q), version)
            return 200, self._page(rows, version, 0, None)
        mq = re.match(r"^query/([\w]+)-(\d+)$", rest)
        if mq and method == "GET":
            rows = org.cursors.get(mq.group(1))
            if rows is None:
                raise SfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            return 200, self._page(rows, version, int(mq.group(2)), mq.group(1))
        ms = re.match(r"^sobjects/(\w+)(?:/(.*))?$", rest)
        if ms:
            obj, tail = ms.group(1), ms.group(2) or ""
            if obj not in SCHEMA:
                raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
            if tail == "describe" and method == "GET":
                return 200, org.describe(obj)
            if tail == "" and method == "POST":
                rec = org.create(obj, json.loads(body or b"{}"))
                return 201, {"id": rec["Id"], "success": True, "errors": []}
            if tail and method == "PATCH":
                org.update(obj, tail, json.loads(body or b"{}"))
                return 204, None
            if tail and method == "DELETE":
                org.delete(obj, tail)
                return 204, None
            if tail and method == "GET":
                rec = org.tables[obj].get(tail)
                if rec is None:
                    raise SfError(404, "NOT_FOUND", "The requested resource does not exist")
                return 200, org._project(obj, rec, [f for f in SCHEMA[obj]["fields"] if (obj, f) not in org.hidden_fields], version)
        raise SfError(404, "NOT_FOUND", "The requested resource does not exist")

    def _page(self, rows: list[dict[str, Any]], version: str, offset: int, locator: str | None) -> dict[str, Any]:
        fake = self.fake
        size = fake.batch_size
        chunk = rows[offset : offset + size]
        out: dict[str, Any] = {"totalSize": len(rows), "done": offset + size >= len(rows), "records": chunk}
        if not out["done"]:
            if locator is None:
                locator = "01gDg" + uuid.uuid4().hex[:13].upper()
                fake.org.cursors[locator] = rows
            out["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{offset + size}"
        return out
