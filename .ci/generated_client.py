"""A Python client generated from Concord's own OpenAPI document (openapi-python-client,
PyPI) does a clerk's and a dispatcher's first steps against a running demo server. The
generated models parse every answer strictly, so a response that strays from the
document fails here. Usage: generated_client.py GENERATED_DIR BASE_URL"""

import sys

sys.path.insert(0, sys.argv[1])
base = sys.argv[2]

from concord_client import AuthenticatedClient, Client  # noqa: E402
from concord_client.api.auth import login  # noqa: E402
from concord_client.api.cases import create_case, get_case, list_cases, transition  # noqa: E402
from concord_client.api.directory import regions  # noqa: E402
from concord_client.models import (  # noqa: E402
    ActionType0, ActionType0Action, CaseKind, CasePageView, CaseView, Category, Channel,
    ErrorBody, LoginRequest, NewCaseInput, PartyInput, PartyRole,
)


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        sys.exit(1)


anon = Client(base_url=base, raise_on_unexpected_status=True)
session = login.sync(client=anon, body=LoginRequest(username="clerk", password="concord-demo"))
check("login returns a token", bool(session.token))
clerk = AuthenticatedClient(base_url=base, token=session.token, raise_on_unexpected_status=True)

places = regions.sync(client=clerk, parent="331125003000")
check(f"regions: {len(places)} villages under 白龙山街道", len(places) > 0)

case = create_case.sync(client=clerk, body=NewCaseInput(
    kind=CaseKind.DISPUTE, channel=Channel.WINDOW, category=Category.NEIGHBOR,
    region=places[0].code, description="邻居建房导致我家墙面开裂,要求赔偿",
    parties=[PartyInput(role=PartyRole.APPLICANT, name="王某某", phone="13800138000")],
))
check(f"create_case: {case.number}, masked phone {case.parties[0].phone}",
      isinstance(case, CaseView) and case.parties[0].phone == "138****8000")

bad = create_case.sync(client=clerk, body=NewCaseInput(
    kind=CaseKind.DISPUTE, channel=Channel.WINDOW, category=Category.NEIGHBOR,
    region="999999999999", description="x", parties=[]))
check("a case without an applicant is an ErrorBody naming the field",
      isinstance(bad, ErrorBody) and bad.error.fields[0].field == "parties")

accepted = transition.sync(case.id, client=clerk,
                           body=ActionType0(action=ActionType0Action.ACCEPT))
check(f"transition accept: {accepted.status}", accepted.status.value == "accepted")

again = get_case.sync(case.id, client=clerk)
check("get_case reads it back with its timeline",
      [e.action.value for e in again.events] == ["register", "accept"])

page = list_cases.sync(client=clerk, status="accepted", region="331125003000")
check(f"list_cases: {len(page.items)} accepted under 白龙山街道",
      isinstance(page, CasePageView) and any(i.id == case.id for i in page.items))
print("generated client: all checks passed")
