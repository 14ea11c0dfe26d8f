"""docs/openapi.yaml is a valid OpenAPI 3.1 document and describes the app as it is.

- the spec validates (openapi-spec-validator);
- every route of the app (static files aside) is in the spec with the same methods, and nothing else is;
- every response example is produced by the request in its `x-request` (with the settings in `x-config`):
  the status it is listed under, its media type, and a body that matches (reply_match.py);
- the real replies of those requests, and the sample page's article, validate against the response schemas;
- the Article schema has exactly the keys of a real reply.
Offline and in-process: nothing is fetched, extraction runs in the test's own process.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from reply_match import mismatches, text_mismatch

from server import create_app

ROOT = Path(__file__).resolve().parents[1]
SPEC = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
SPEC_URI = "urn:declutter:openapi"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}  # added by Flask to every route
DAILY8_URL = "https://www.daily8.ai/news/us-envoy-plays-down-washington-tokyo-trade-row"


def follow(node):
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        assert pointer.startswith("#/"), f"only local references: {pointer}"
        node = SPEC
        for part in pointer[2:].split("/"):
            node = node[part]
    return node


def response_examples():
    """(operations, status, media type, example name, example, schema) for every response example, once.

    An example in a shared response (components/responses) belongs to every operation that uses it."""
    found: dict[int, list] = {}
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in operation["responses"].items():
                for media_type, media in follow(response).get("content", {}).items():
                    for name, example in media.get("examples", {}).items():
                        entry = found.setdefault(id(example), [set(), int(status), media_type, name, example,
                                                               media.get("schema")])
                        entry[0].add(f"{method.upper()} {path}")
    return [tuple(entry) for entry in found.values()]


EXAMPLES = response_examples()


def schema_validator(schema: dict) -> Draft202012Validator:
    resource = Resource.from_contents(SPEC, default_specification=DRAFT202012)
    registry = Registry().with_resource(SPEC_URI, resource)
    if "$ref" in schema:
        schema = {"$ref": SPEC_URI + schema["$ref"]}
    return Draft202012Validator(schema, registry=registry)


def send(example: dict):
    request = example["x-request"]
    app = create_app({"testing": True, "workers": 0, **example.get("x-config", {})})
    client = app.test_client()
    if "body_file" in request:
        body = (ROOT / request["body_file"]).read_bytes()
    else:
        body = request.get("body", "").encode() if "body" in request else None
    headers = {"Content-Type": request["content_type"]} if "content_type" in request else {}
    for _ in range(request.get("times", 1)):
        response = client.open(request["path"], method=request["method"], headers=headers, data=body)
    return response


def test_spec_is_valid_openapi_3_1():
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def test_every_route_is_described_with_its_methods():
    app = create_app({"testing": True, "workers": 0})
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(m.lower() for m in rule.methods - AUTOMATIC_METHODS)
    described = {path: {m for m in item if m in HTTP_METHODS} for path, item in SPEC["paths"].items()}
    assert described == routes


def test_every_response_example_says_how_to_produce_it():
    assert len(EXAMPLES) >= 15
    missing = [f"{status} {name}" for _, status, _, name, example, _ in EXAMPLES
               if "x-request" not in example]
    assert not missing, f"examples without x-request: {missing}"
    used = {id(example) for *_, example, _ in EXAMPLES}
    listed = {id(e) for r in SPEC["components"]["responses"].values() for m in r.get("content", {}).values()
              for e in m.get("examples", {}).values()}
    assert listed <= used, "a component response has an example that no operation uses"


@pytest.mark.parametrize("operations, status, media_type, name, example, schema", EXAMPLES,
                         ids=[f"{status} {media} {name}" for _, status, media, name, *_ in EXAMPLES])
def test_example_is_the_real_reply(operations, status, media_type, name, example, schema):
    request = example["x-request"]
    operation = f"{request['method']} {request['path'].split('?')[0]}"
    assert operation in operations, f"x-request is for {operation}, the example for {operations}"
    response = send(example)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == media_type
    if media_type == "application/json":
        reply = response.get_json()
        problems = mismatches(example["value"], reply)
        assert not problems, "\n".join(problems)
        errors = sorted(schema_validator(schema).iter_errors(reply), key=str)
        assert not errors, "\n".join(e.message for e in errors)
    else:
        problem = text_mismatch(example["value"], response.get_data(as_text=True))
        assert problem is None, problem


def test_article_schema_has_the_keys_of_a_real_reply(client, daily8_html):
    response = client.post(f"/v1/extract?url={DAILY8_URL}", data=daily8_html, content_type="text/html")
    reply = response.get_json()
    article = SPEC["components"]["schemas"]["Article"]
    assert list(article["properties"]) == list(reply) == article["required"]
    removal = SPEC["components"]["schemas"]["Removal"]
    assert reply["removed"] and all(list(item) == removal["required"] for item in reply["removed"])
    assert not list(schema_validator({"$ref": "#/components/schemas/Article"}).iter_errors(reply))


def test_request_body_examples_fit_their_schema():
    body = SPEC["paths"]["/v1/extract"]["post"]["requestBody"]["content"]["application/json"]
    validator = schema_validator(body["schema"])
    for name, example in body["examples"].items():
        errors = [e.message for e in validator.iter_errors(example["value"])]
        assert not errors, f"{name}: {errors}"


def test_a_request_body_example_extracts(client):
    body = SPEC["paths"]["/v1/extract"]["post"]["requestBody"]["content"]["application/json"]
    page = body["examples"]["page"]
    response = client.post("/v1/extract", data=json.dumps(page["value"]), content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["url"] == page["value"]["url"]
