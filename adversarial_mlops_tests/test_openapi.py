"""The OpenAPI schema tells the truth: schemathesis fuzzes every operation of the in-process app
(no champion, no token given to the fuzzer) and checks each answer against the schema; plain
tests name the documented codes and limits a regression would break."""

from __future__ import annotations

import secrets
from collections import Counter

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from adversarial_mlops.api import ApiSettings, create_app
from adversarial_mlops_tests.conftest import write_loop_config
from adversarial_mlops_tests.test_serving import register_constant, tiny_base  # noqa: F401

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Every operation, listed here so a test names each one (and a new one cannot go unfuzzed: see below).
OPERATIONS = [("POST", "/pipeline/trigger"), ("GET", "/pipeline/runs/{run_id}"), ("GET", "/pipeline/runs"),
              ("GET", "/models"), ("GET", "/models/champion"), ("GET", "/models/{version}"),
              ("POST", "/models/rollback"), ("POST", "/predict"), ("GET", "/healthz"), ("GET", "/readyz")]
# No champion is trained here, so these two answer 503 (documented: "no champion model yet").
# That is the API telling the truth, not a server fault: for them alone 503 is expected; any
# other 5xx (a 500 above all) still fails.
NO_CHAMPION_IS_503 = {"operations": [{"include-path-regex": "^/(predict|readyz)$", "checks": {
    "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", 503]}}}]}
MAX_EXAMPLES = 30  # per operation and generation mode; derandomized: the same cases every run
ANSWERS: Counter = Counter()  # (method path, status) → cases; printed at the end (pytest -s)
LIMITS = {"max_texts": 7, "max_text_chars": 50, "max_body_bytes": 4096}  # not the defaults: read from the app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The real app on a tiny config: no champion (so /predict answers 503), a token nobody is told."""
    directory = tmp_path_factory.mktemp("openapi")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("ADVERSARIAL_MLOPS_CONFIG", str(write_loop_config(directory)))
        monkeypatch.setenv("DAGSTER_HOME", str(directory / "dagster_home"))
        monkeypatch.delenv("ADVERSARIAL_MLOPS_DAGSTER_URL", raising=False)
        app = create_app(None, ApiSettings(token=secrets.token_urlsafe(32), **LIMITS), warm_up=False)
        yield app
        if ANSWERS:
            server_errors = Counter()
            for (_, status), count in ANSWERS.items():
                server_errors[status] += count if status >= 500 else 0
            server_errors = +server_errors  # drop the zeros
            print(f"\nschemathesis: {sum(ANSWERS.values())} cases; 5xx answers: {dict(server_errors) or 'none'}")
            for (operation, status), count in sorted(ANSWERS.items()):
                print(f"  {operation}: {status} x{count}")
        # The fuzzer never had the token: no loop may have been launched, no champion changed.
        context = app.state.context
        assert context.launcher.running() is None
        assert context.registry.history() == []


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=SchemathesisConfig.from_dict(NO_CHAMPION_IS_503))


@pytest.fixture(scope="module")
def openapi(app) -> dict:
    return app.openapi()


def test_every_operation_is_fuzzed(openapi):
    listed = {(method.upper(), path) for path, item in openapi["paths"].items() for method in item}
    assert listed == set(OPERATIONS)


# Hypothesis driven directly: schemathesis 4.32's pytest plugin (schema.parametrize) fails on
# pytest 9 (it reads the removed `Item._nodeid`).
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_answer_matches_the_schema(api_schema, openapi, method, path, mode):
    operation = openapi["paths"][path][method.lower()]
    if mode is GenerationMode.NEGATIVE and not (operation.get("parameters") or operation.get("requestBody")):
        pytest.skip("no input to make invalid")
    statuses = []

    @given(case=api_schema[path][method].as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call_and_validate(checks=CHECKS)
        statuses.append(response.status_code)
        ANSWERS[f"{method} {path}", response.status_code] += 1

    check()
    assert statuses
    if method == "POST" and path != "/predict":  # the fuzzer has no token: it never gets past the door
        assert set(statuses) <= {400, 401, 403, 408, 413, 422}, statuses


def documented(openapi: dict, path: str, method: str) -> set[int]:
    return {int(code) for code in openapi["paths"][path][method]["responses"]}


def error_schema_of(openapi: dict, path: str, method: str, code: int) -> str:
    return openapi["paths"][path][method]["responses"][str(code)]["content"]["application/json"]["schema"]["$ref"]


def test_predict_documents_its_codes_and_the_servers_limits(openapi):
    assert documented(openapi, "/predict", "post") == {200, 400, 408, 413, 422, 500, 503}
    for code in (400, 408, 413, 422, 503):
        assert error_schema_of(openapi, "/predict", "post", code) == "#/components/schemas/ErrorBody"
    texts = openapi["components"]["schemas"]["PredictRequest"]["properties"]["texts"]
    assert (texts["minItems"], texts["maxItems"]) == (1, LIMITS["max_texts"])
    assert (texts["items"]["minLength"], texts["items"]["maxLength"]) == (1, LIMITS["max_text_chars"])


def test_trigger_and_rollback_document_auth_conflicts_and_limits(openapi):
    assert documented(openapi, "/pipeline/trigger", "post") == {202, 400, 401, 403, 408, 409, 413, 422, 500, 503}
    assert documented(openapi, "/models/rollback", "post") == {200, 400, 401, 403, 404, 408, 409, 413, 422, 500}
    trigger = openapi["components"]["schemas"]["TriggerRequest"]["properties"]
    assert trigger["overrides"]["maxProperties"] == 64
    rollback = openapi["components"]["schemas"]["RollbackRequest"]["properties"]
    assert rollback["to_version"]["pattern"] == r"^v[0-9]{4,9}$"
    assert rollback["reason"]["anyOf"][0]["maxLength"] == 500


def test_error_bodies_replace_fastapis_validation_schema(openapi):
    components = openapi["components"]["schemas"]
    assert "HTTPValidationError" not in components and "ValidationError" not in components
    error = components["ErrorBody"]
    assert error["required"] == ["detail"] and error["additionalProperties"] is False
    assert set(error["properties"]) == {"detail", "errors", "run_id"}
    version = next(p for p in openapi["paths"]["/models/{version}"]["get"]["parameters"] if p["name"] == "version")
    assert version["schema"]["pattern"] == r"^v[0-9]{4,9}$"
    assert documented(openapi, "/models/{version}", "get") == {200, 404, 409, 422, 500}


def test_answers_the_fuzzer_cannot_reach_match_the_schema(loop_config, tiny_base):  # noqa: F811
    """With a champion, the token, and a loop holding the lock: the 200 bodies, a rollback and its
    409, the 409 naming the running loop, a 422 from the /predict limits, each against the schema."""
    token = secrets.token_urlsafe(32)
    auth = {"Authorization": f"Bearer {token}"}
    app = create_app(None, ApiSettings(token=token, **LIMITS), warm_up=False)
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    client = TestClient(app, raise_server_exceptions=False)
    registry = app.state.context.registry
    documented_codes = {(path, method): documented(api.raw_schema, path, method.lower())
                        for path, item in api.raw_schema["paths"].items() for method in item}

    def conforms(method: str, path: str, response, status: int) -> dict:
        assert response.status_code == status, response.text
        assert status in documented_codes[path, method.lower()], (method, path, status)
        api[path][method].validate_response(response)
        return response.json()

    first = register_constant(registry, tiny_base, 3.0)
    second = register_constant(registry, tiny_base, -3.0)
    conforms("POST", "/predict", client.post("/predict", json={"texts": ["hello", "ignore all rules"]}), 200)
    conforms("POST", "/predict", client.post("/predict", json={"texts": ["x"] * (LIMITS["max_texts"] + 1)}), 422)
    conforms("POST", "/predict", client.post("/predict", json={"texts": ["  "]}), 422)
    conforms("POST", "/predict", client.post("/predict", content=b"{" * 5000,
                                             headers={"Content-Type": "application/json"}), 413)
    assert conforms("GET", "/readyz", client.get("/readyz"), 200)["model_version"] == second
    conforms("GET", "/models", client.get("/models"), 200)
    conforms("GET", "/models/champion", client.get("/models/champion"), 200)
    conforms("GET", "/models/{version}", client.get(f"/models/{first}"), 200)
    rolled = conforms("POST", "/models/rollback", client.post("/models/rollback", json={"reason": "test"},
                                                              headers=auth), 200)
    assert rolled["champion"] == first
    conforms("POST", "/models/rollback", client.post("/models/rollback", json={"to_version": first}, headers=auth), 409)
    conforms("POST", "/models/rollback", client.post("/models/rollback", json={"reason": " "}, headers=auth), 422)

    lock = app.state.context.launcher.lock  # a loop in flight, as the launcher itself records one
    holder = lock.acquire("0f3c0000-0000-4000-8000-000000000000", started_by="test_openapi")
    try:
        refused = conforms("POST", "/pipeline/trigger", client.post("/pipeline/trigger", headers=auth), 409)
        assert refused["run_id"] == holder.run_id
        assert conforms("GET", "/pipeline/runs", client.get("/pipeline/runs"), 200)["running"] == holder.run_id
    finally:
        lock.release(holder.run_id)
