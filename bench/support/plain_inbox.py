"""The plain inbox endpoint ``bench/graphql.py`` compares the GraphQL inbox with, mounted
in the server process only, and the app that serves both; the inbox to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get

from alur.graphql.pagination import encode_cursor
from alur.tenants.cases import listing
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.identity.tokens import authenticate
from alur.tenants.storage.tables import Case

SECRET_KEY = "bench-graphql-secret-" + "k" * 32
PAGE = 50
KINDS = ("plain", "graphql")
INBOX = """
query Inbox($role: String!, $unit: String) {
  tasks(first: 50, filter: {role: $role, unit: $unit}) {
    ... on TaskConnection {
      edges {
        node {
          number unit due overdue returnNote
          role { id name }
          step { number kegiatan waktu { text } output }
          case { key period status }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


@dataclass
class Inbox:
    token: str
    role: str
    unit: str | None
    open_tasks: int

    def request(self, kind: str) -> dict[str, Any]:
        """httpx request arguments for one inbox read over ``kind``."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if kind == "graphql":
            variables = {"role": self.role, "unit": self.unit}
            body = {"query": INBOX, "variables": variables, "operationName": "Inbox"}
            return {"method": "POST", "url": "/graphql", "json": body, "headers": headers}
        params = {"role": self.role, **({"unit": self.unit} if self.unit else {})}
        return {"method": "GET", "url": "/bench/inbox", "params": params, "headers": headers}


async def plain_inbox(authorization: str | None, role: str, unit: str | None) -> Any:
    """The first 50 open tasks of ``role`` (in ``unit``) with their case and step, as the
    GraphQL inbox reads them (same queries), shaped like its ``edges`` and ``pageInfo``."""
    scheme, _, token = (authorization or "").partition(" ")
    identity = await authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if identity is None or identity.tenant_id is None:
        return None
    now = datetime.now(UTC)
    wanted = listing.TaskFilter(role=role, unit=unit)
    rows = await listing.page_tasks(identity.tenant_id, wanted, now, first=PAGE)
    more, rows = len(rows) > PAGE, rows[:PAGE]
    case_ids = sorted({r["case"] for r in rows})
    cases = {
        c["id"]: c
        for c in await Case.select(*listing.CASE_COLUMNS).where(
            Case.id.is_in(case_ids or [-1]), Case.tenant == identity.tenant_id
        )
    }
    hashes = sorted({r["definition_hash"] for r in rows})
    definitions = await pinned_definitions(hashes)  # as the API's loader reads them
    edges = []
    for r in rows:
        d = definitions[r["definition_hash"]]
        step, task_role, case = (
            d.steps_by_number[r["step"]],
            d.roles_by_id[r["role"]],
            cases[r["case"]],
        )
        due = r["due"]
        edges.append(
            {
                "node": {
                    "number": r["task_no"],
                    "unit": r["unit"],
                    "due": due.isoformat() if due else None,
                    "overdue": due is not None and now > due,
                    "returnNote": r["return_note"],
                    "role": {"id": task_role.id, "name": task_role.name},
                    "step": {
                        "number": step.number,
                        "kegiatan": step.kegiatan,
                        "waktu": {"text": step.waktu.text},
                        "output": step.output,
                    },
                    "case": {
                        "key": case["key"],
                        "period": case["period"],
                        "status": case["status"].upper(),
                    },
                }
            }
        )
    end = encode_cursor("task", rows[-1]["due"], rows[-1]["id"]) if rows else None
    return {
        "data": {"tasks": {"edges": edges, "pageInfo": {"hasNextPage": more, "endCursor": end}}}
    }


class BenchInbox(Controller):
    """``GET /bench/inbox?role=…&unit=…`` with ``Authorization: Bearer …``."""

    path = "/bench"

    # Like /graphql, no session: the bearer token authenticates (a session row read would
    # cost the plain endpoint a statement the API does not pay).
    @get("/inbox", opt={"skip_session": True})
    async def inbox(self, request: Request[Any, Any, Any]) -> Response:
        params = request.query_params
        answer = await plain_inbox(
            request.headers.get("authorization"), params.get("role", ""), params.get("unit")
        )
        if answer is None:
            return Response({"errors": [{"message": "unauthenticated"}]}, status_code=401)
        return Response(answer)


def make_app(database_url: str) -> Any:
    from alur.graphql.limits import ApiLimits
    from alur.web.app import create_app
    from alur.web.settings import WebSettings

    settings = WebSettings(database_url=database_url, secret_key=SECRET_KEY)
    # every request of the one bench token is still counted (that write is part of what a
    # request costs), but never refused: the bench measures speed, not the rate limit
    limits = ApiLimits(rate_limit=10**9)
    return create_app(settings, extra_controllers=(BenchInbox,), graphql_limits=limits)
