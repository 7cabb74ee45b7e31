"""Real Open311 clients from PyPI against a running Concord: `georeport` (2024, Python 3)
and `open311` (2011, written for Python 2). Usage: open311_clients.py BASE_URL API_KEY
JURISDICTION. Each step asserts what a user of the library would see; exits non-zero on
the first failure.

`open311` 1.1 predates Python 3; three shims let its own code run unchanged: its modules
import each other by bare name, as Python 2 allowed (they are loaded by hand under those
names), ElementTree lost `getchildren` (the pure-Python Element gets it back), and urlopen
now wants bytes for a POST body (the str it builds is encoded)."""

import os
import sys
import time

base, api_key, jurisdiction = sys.argv[1], sys.argv[2], sys.argv[3]
v2 = base.rstrip("/") + "/open311/v2"

# --- the open311 shims (its modules loaded by hand, as Python 2 found them) ---
import importlib.util  # noqa: E402
import types  # noqa: E402

sys.modules["_elementtree"] = None  # the pure-Python ElementTree, whose Element we can extend
import xml.etree.ElementTree as ET  # noqa: E402

ET.Element.getchildren = lambda self: list(self)


def load(name, path, package_dir=None):
    where = [package_dir] if package_dir else None
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=where)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


pkg = importlib.util.find_spec("open311").submodule_search_locations[0]
x2d = os.path.join(pkg, "api", "xml2dict")
load("object_dict", os.path.join(x2d, "object_dict.py"))
load("xml2dict", os.path.join(x2d, "__init__.py"), x2d)
api_api = load("api.api", os.path.join(pkg, "api", "api.py"))
api = types.ModuleType("api")
api.__path__ = [os.path.join(pkg, "api")]
api.API, api.urlopen, api.urlencode = api_api.API, api_api.urlopen, api_api.urlencode
api.api = api_api
sys.modules["api"] = api
open311_module = load("open311_client", os.path.join(pkg, "open311.py"))
_urlopen = open311_module.urlopen
open311_module.urlopen = lambda url, data=None: _urlopen(
    url, data.encode() if isinstance(data, str) else data
)
Open311 = open311_module.Open311

import requests  # noqa: E402
from georeport import GeoReport  # noqa: E402


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        sys.exit(1)


# --- discovery (neither library has a call for it; its own HTTP client does) ---
for fmt in ("json", "xml"):
    r = requests.get(f"{v2}/discovery.{fmt}")
    check(f"discovery.{fmt} answers 200", r.status_code == 200)
d = requests.get(f"{v2}/discovery.json").json()
check("discovery names the v2 endpoint", d["endpoints"][0]["url"] == v2)

# --- georeport, JSON and XML ---
for fmt in ("json", "xml"):
    g = GeoReport(v2, jurisdiction=jurisdiction, api_key=api_key, output_format=fmt)
    services = g.get_service_list()
    codes = [s["service_code"] for s in services]
    check(f"georeport/{fmt}: {len(services)} services, labour among them", "labor" in codes)
    definition = g.get_service_definition("labor")
    attrs = definition["attributes"]
    if fmt == "xml":
        attrs = attrs["attribute"]
    check(f"georeport/{fmt}: labour asks for the complainants",
          any(a["code"] == "complainants" for a in attrs))

# --- open311: create (form POST with api_key and jurisdiction_id in the query) ---
o = Open311(endpoint=v2, api_key=api_key, jurisdiction=jurisdiction, format="json")
order = f"CI-{int(time.time() * 1000)}"
created = o.post_service_request(
    service_code="labor",
    description="工地拖欠十二名工人三个月工资,工人准备集体去县政府讨薪",
    address_string="崇头镇工地",
    first_name="建国",
    last_name="王",
    phone="13857800001",
    **{"attribute[complainants]": "12", "attribute[amount]": "86000",
       "attribute[work_order_no]": order},
)
number = created[0]["service_request_id"]
token = created[0]["token"]
check(f"open311: created {number} with token {token}", bool(number) and bool(token))

again = requests.post(f"{v2}/requests.json", data={
    "api_key": api_key, "jurisdiction_id": jurisdiction, "service_code": "labor",
    "description": "同一工单再次推送", "address_string": "崇头镇",
    "attribute[work_order_no]": order})
check("the same work order again is refused, naming the case",
      again.status_code == 400 and number in again.json()[0]["description"])

# --- read it back ---
xml_o = Open311(endpoint=v2, api_key=api_key, jurisdiction=jurisdiction, format="xml")
one = xml_o.get_service_request(number)["service_requests"]["request"]
check("open311/xml: read back as open, 已登记", one["status"] == "open"
      and one["status_notes"].startswith("已登记"))
check("open311/xml: the token leads to the request",
      xml_o.request_id_from_token(token)["service_request_id"] == number)
listed = xml_o.service_requests(service_request_id=number)
check("open311/xml: listed by id", listed["service_request_id"] == number)
services = xml_o.service_list()
check(f"open311/xml: {len(services)} services", len(services) == 14)
definition = o.service_definition("labor")
check("open311: service definition (its own 'service/' path)",
      definition["service_code"] == "labor")

for fmt in ("json", "xml"):
    g = GeoReport(v2, jurisdiction=jurisdiction, output_format=fmt)
    r = g.get_service_request(number)
    if isinstance(r, list):
        r = r[0]
    check(f"georeport/{fmt}: read back, labour, open",
          r["service_code"] == "labor" and r["status"] == "open")

    # --- list with filters ---
    found = g.get_service_requests(service_code="labor", status="open")
    if isinstance(found, dict):
        found = [found]
    check(f"georeport/{fmt}: open labour requests include it",
          any(x["service_request_id"] == number for x in found))
    closed = requests.get(f"{v2}/requests.{fmt}",
                          params={"status": "closed", "service_code": "labor",
                                  "jurisdiction_id": jurisdiction})
    check(f"{fmt}: closed labour requests do not", number not in closed.text)
    by_id = g.get_service_requests(service_request_id=number)
    if isinstance(by_id, dict):
        by_id = [by_id]
    check(f"georeport/{fmt}: by id", [x["service_request_id"] for x in by_id] == [number])
    try:
        window = g.get_service_requests(start_date="2020-01-01T00:00:00Z",
                                        end_date="2020-02-01T00:00:00Z")
    except TypeError:  # georeport cannot read an empty XML list (<service_requests/>)
        window = []
    check(f"georeport/{fmt}: nothing in January 2020", not window)

bad = requests.get(f"{v2}/requests.json", params={"start_date": "yesterday"})
check("a bad date is the spec's 400 list",
      bad.status_code == 400 and bad.json()[0]["code"] == 400)
print("open311 clients: all checks passed")
