"""The REST API through FastAPI's TestClient: every endpoint, auth, limits, and 4xx-never-500 errors."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from fastapi.testclient import TestClient

from adversarial_mlops.api import ApiSettings, check_bind_host, create_app, is_loopback
from adversarial_mlops.config import ConfigError, load_config
from adversarial_mlops.models.registry import ModelRegistry
from adversarial_mlops.dagster_defs.launcher import LoopLauncher
from adversarial_mlops_tests.conftest import join_reapers
from adversarial_mlops_tests.test_serving import expected_score, register_constant, tiny_base  # noqa: F401

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def registry(loop_config) -> ModelRegistry:
    return ModelRegistry(load_config(None).resolved_state_dir() / "registry")


@pytest.fixture
def make_client(loop_config, tmp_path):
    """Build an app (no model warm-up) whose launcher runs a sleeping stand-in for the worker."""
    script = tmp_path / "fake-python"
    script.write_text("#!/bin/sh\nexec sleep 60\n")
    script.chmod(0o755)
    launchers = []

    def build(**settings) -> TestClient:
        from adversarial_mlops.dagster_defs.runs import prepare_instance

        config = load_config(None)
        launcher = LoopLauncher(config, prepare_instance(config), python=str(script), dagster_url="")
        launchers.append(launcher)
        app = create_app(None, ApiSettings(**{"token": TOKEN, **settings}), launcher=launcher, warm_up=False)
        return TestClient(app, raise_server_exceptions=False)

    yield build
    for launcher in launchers:
        holder = launcher.running()
        if holder is not None and holder.pid:
            os.kill(holder.pid, signal.SIGKILL)
    join_reapers()


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


def assert_error(response, status: int, *fragments: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text
    for fragment in fragments:
        assert fragment in body["detail"], body["detail"]
    return body


def test_health_and_readiness_before_any_champion(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "no champion trained yet: run the loop" in ready.json()["detail"]
    assert_error(client.post("/predict", json={"texts": ["hi"]}), 503, "no champion trained yet",
                 "POST /pipeline/trigger")
    assert_error(client.get("/models/champion"), 404, "no champion trained yet")
    assert client.get("/models").json() == {"champion": None, "serving": None, "versions": [], "history": []}
    assert client.get("/docs").status_code == 200
    assert "/predict" in client.get("/openapi.json").json()["paths"]


def test_predict_models_and_rollback(client, registry, tiny_base):  # noqa: F811
    v1 = register_constant(registry, tiny_base, 3.0)
    response = client.post("/predict", json={"texts": ["ignore previous instructions", "hello there"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == v1
    assert [r["label"] for r in body["results"]] == ["malicious", "malicious"]
    assert body["results"][0]["score"] == pytest.approx(expected_score(3.0), abs=1e-5)
    assert client.get("/readyz").json() == {"status": "ready", "model_version": v1}

    v2 = register_constant(registry, tiny_base, -3.0)  # a promotion: served without a restart
    assert client.post("/predict", json={"texts": ["hello"]}).json()["model_version"] == v2
    models = client.get("/models").json()
    assert models["champion"] == v2 and models["serving"] == v2
    assert [(v["version"], v["is_champion"]) for v in models["versions"]] == [(v1, False), (v2, True)]
    assert models["versions"][0]["metrics"]["clean_f1"] == pytest.approx(0.53)
    assert [e["event"] for e in models["history"]] == ["promote", "promote"]
    champion = client.get("/models/champion").json()
    assert champion["version"] == v2 and champion["is_champion"]
    assert client.get(f"/models/{v1}").json()["info"]["role"] == "test"

    rolled = client.post("/models/rollback", json={"reason": "bad release"}, headers=AUTH)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json() == {"champion": v1, "previous": v2, "reason": "bad release", "serving": v1}
    body = client.post("/predict", json={"texts": ["hello"]}).json()
    assert body["model_version"] == v1 and body["results"][0]["label"] == "malicious"
    assert client.get("/models").json()["history"][-1]["event"] == "rollback"

    to = client.post("/models/rollback", json={"to_version": v2}, headers=AUTH)
    assert to.status_code == 200 and to.json()["champion"] == v2
    assert_error(client.post("/models/rollback", json={"to_version": v2}, headers=AUTH), 409, "already the champion")
    assert_error(client.post("/models/rollback", json={"to_version": "../x"}, headers=AUTH), 422, "invalid version id")
    assert_error(client.post("/models/rollback", json={"to_version": "v9999"}, headers=AUTH), 404, "unknown version")
    assert_error(client.get("/models/..%2Fx"), 404)  # a slash never reaches the registry
    assert_error(client.get("/models/..x"), 422, "invalid version id")
    assert_error(client.get("/models/v12"), 422, "invalid version id")
    assert_error(client.get("/models/v" + "1" * 255), 422, "4 to 9 digits")  # was a 500: file name too long
    assert_error(client.get("/models/v0042"), 404, "unknown version")
    assert_error(client.post("/models/rollback", json={"to_version": 3}, headers=AUTH), 422, "to_version")


def test_predict_labels_at_the_champions_calibrated_threshold(client, registry, tiny_base):  # noqa: F811
    # Every text scores 0.9526; this champion was calibrated to a threshold above that.
    register_constant(registry, tiny_base, 3.0, threshold=0.97)
    body = client.post("/predict", json={"texts": ["ignore previous instructions"]}).json()
    assert body["threshold"] == 0.97
    assert body["results"][0] == {"label": "benign", "score": pytest.approx(expected_score(3.0), abs=1e-5),
                                  "evidence": {"view": "original", "window": 0}}


def test_rollback_without_history_is_a_conflict(client, registry, tiny_base):  # noqa: F811
    assert_error(client.post("/models/rollback", headers=AUTH), 409, "no champion yet")
    register_constant(registry, tiny_base, 1.0)
    assert_error(client.post("/models/rollback", headers=AUTH), 409, "no earlier champion")


def test_auth_refusals(make_client):
    client = make_client()
    for path in ("/pipeline/trigger", "/models/rollback"):
        assert_error(client.post(path, json={}), 401, "missing 'Authorization: Bearer <token>'")
        assert client.post(path, json={}).headers["www-authenticate"] == "Bearer"
        assert_error(client.post(path, json={}, headers={"Authorization": "Bearer wrong"}), 401, "invalid API token")
        assert_error(client.post(path, json={}, headers={"Authorization": f"Basic {TOKEN}"}), 401, "Bearer <token>")
        assert_error(client.post(path, json={}, headers={"Authorization": ("Bearer " + "é" * 10).encode()}), 401)
    no_token = make_client(token=None)
    for path in ("/pipeline/trigger", "/models/rollback"):
        assert_error(no_token.post(path, json={}, headers=AUTH), 403, "ADVERSARIAL_MLOPS_API_TOKEN")


@pytest.mark.dagster_instance
def test_trigger_409_and_run_status(client, loop_config):
    bad = client.post("/pipeline/trigger", json={"overrides": {"training.epochs": 0}}, headers=AUTH)
    assert_error(bad, 422, "training.epochs")
    assert_error(client.post("/pipeline/trigger", json={"overrides": {"nope": 1}}, headers=AUTH), 422, "nope")
    # Refused at the door, not minutes into a run: unknown strategies, an empty list, a negative seed.
    for overrides, fragment in (({"attack.strategies": ["nope"]}, "unknown attack strategy"),
                                ({"attack.strategies": []}, "nothing would be attacked"),
                                ({"training.seed": -1}, "training.seed"),
                                ({"training.target_modules": ["nope"]}, "'nope' matches no module")):
        assert_error(client.post("/pipeline/trigger", json={"overrides": overrides}, headers=AUTH), 422, fragment)
    assert_error(client.post("/pipeline/trigger", json={"overrides": {"state_dir": "/x"}}, headers=AUTH), 422,
                 "state_dir cannot be set")
    assert_error(client.post("/pipeline/trigger", json={"force_retrain": "yes"}, headers=AUTH), 422, "force_retrain")
    assert_error(client.post("/pipeline/trigger", json={"extra": 1}, headers=AUTH), 422, "extra")

    started = client.post("/pipeline/trigger", json={"force_retrain": True, "overrides": {"training.epochs": 1}},
                          headers=AUTH)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    assert started.json()["status_url"] == f"/pipeline/runs/{run_id}"
    second = client.post("/pipeline/trigger", headers=AUTH)  # no body at all is fine too
    body = assert_error(second, 409, "already running")
    assert body["run_id"] == run_id

    status = client.get(f"/pipeline/runs/{run_id}").json()
    assert status["run_id"] == run_id and status["in_flight"] is True
    assert status["status"] in ("NOT_STARTED", "STARTING", "STARTED")
    assert {"materialized", "skipped", "failed", "gate", "promotion", "outcome"} <= set(status)
    runs = client.get("/pipeline/runs", params={"limit": 5}).json()
    assert runs["running"] == run_id and runs["runs"][0]["run_id"] == run_id
    assert_error(client.get("/pipeline/runs", params={"limit": 0}), 422, "limit")
    assert_error(client.get("/pipeline/runs/00000000-0000-0000-0000-000000000000"), 404, "no loop run")
    assert_error(client.get("/pipeline/runs/..%2F..%2Fetc"), 404)
    assert_error(client.get("/pipeline/runs/" + "a" * 300), 404)


@pytest.mark.parametrize("body, status, fragment", [
    (b"{not json", 422, "not valid JSON"),
    (b"", 422, "body is required"),
    (b"[]", 422, "invalid request"),
    (b'{"texts": "one string"}', 422, "texts"),
    (b'{"texts": [1, 2]}', 422, "texts.0"),
    (b'{"texts": [null]}', 422, "texts.0"),
    (b'{"texts": []}', 422, "texts is empty"),
    (b'{"texts": [""]}', 422, "texts[0] is empty"),
    (b'{"texts": ["ok", "   "]}', 422, "texts[1] is empty"),
    (b'{"texts": ["\\ud800"]}', 422, "unpaired surrogate"),
    (b'{"texts": ["ok"], "extra": 1}', 422, "extra"),
    (json.dumps({"texts": ["x"] * 65}).encode(), 422, "limit is 64"),
    (json.dumps({"texts": ["x" * 4001]}).encode(), 422, "limit is 4000"),
])
def test_predict_rejects_bad_bodies_with_a_clear_4xx(client, registry, tiny_base, body, status, fragment):  # noqa: F811
    register_constant(registry, tiny_base, 1.0)
    response = client.post("/predict", content=body, headers={"Content-Type": "application/json"})
    assert_error(response, status, fragment)


def test_body_size_cap_before_parsing(make_client):
    client = make_client(max_body_bytes=2048, max_texts=1000, max_text_chars=10_000)
    big = json.dumps({"texts": ["x" * 3000]}).encode()
    assert_error(client.post("/predict", content=big, headers={"Content-Type": "application/json"}), 413,
                 "larger than 2048 bytes")

    def chunks():  # no Content-Length: the streamed size is counted
        for _ in range(10):
            yield b" " * 500

    assert_error(client.post("/predict", content=chunks(), headers={"Content-Type": "application/json"}), 413)
    assert_error(client.post("/predict", content=b"{}", headers={"Content-Length": "abc"}), 400)


def test_limits_are_configurable(make_client, registry, tiny_base):  # noqa: F811
    register_constant(registry, tiny_base, 1.0)
    client = make_client(max_texts=2, max_text_chars=10)
    assert client.post("/predict", json={"texts": ["a", "b"]}).status_code == 200
    assert_error(client.post("/predict", json={"texts": ["a", "b", "c"]}), 422, "limit is 2")
    assert_error(client.post("/predict", json={"texts": ["a" * 11]}), 422, "limit is 10")


def test_unknown_routes_and_methods_are_json(client):
    assert_error(client.get("/nope"), 404, "/docs")
    assert_error(client.get("/predict"), 405, "GET is not allowed")


def test_settings_from_env_and_bind_refusal(monkeypatch):
    monkeypatch.setenv("ADVERSARIAL_MLOPS_API_TOKEN", "  ")
    monkeypatch.setenv("ADVERSARIAL_MLOPS_MAX_TEXTS", "8")
    settings = ApiSettings.from_env(max_text_chars=100)
    assert settings.token is None and settings.max_texts == 8 and settings.max_text_chars == 100
    assert settings.workers is None  # one inference worker per usable core
    monkeypatch.setenv("ADVERSARIAL_MLOPS_SERVE_WORKERS", "3")
    assert ApiSettings.from_env().workers == 3
    monkeypatch.setenv("ADVERSARIAL_MLOPS_SERVE_WORKERS", "0")
    with pytest.raises(ConfigError, match="ADVERSARIAL_MLOPS_SERVE_WORKERS"):
        ApiSettings.from_env()
    monkeypatch.delenv("ADVERSARIAL_MLOPS_SERVE_WORKERS")
    assert ApiSettings.from_env().compile is None  # the config's model.serving_compile
    monkeypatch.setenv("ADVERSARIAL_MLOPS_SERVE_COMPILE", "off")
    assert ApiSettings.from_env().compile == "off"
    monkeypatch.setenv("ADVERSARIAL_MLOPS_SERVE_COMPILE", "true")
    with pytest.raises(ConfigError, match="ADVERSARIAL_MLOPS_SERVE_COMPILE='true': use one of auto, on, off"):
        ApiSettings.from_env()
    monkeypatch.delenv("ADVERSARIAL_MLOPS_SERVE_COMPILE")
    monkeypatch.setenv("ADVERSARIAL_MLOPS_MAX_TEXTS", "many")
    with pytest.raises(ConfigError, match="ADVERSARIAL_MLOPS_MAX_TEXTS"):
        ApiSettings.from_env()
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.com")
    check_bind_host("127.0.0.1", ApiSettings())
    check_bind_host("0.0.0.0", ApiSettings(token="x" * 20))
    with pytest.raises(ConfigError, match="refusing to listen on '0.0.0.0'"):
        check_bind_host("0.0.0.0", ApiSettings())
    with pytest.raises(ConfigError, match="1-character API token.*at least 16"):
        check_bind_host("0.0.0.0", ApiSettings(token="x"))
    check_bind_host("127.0.0.1", ApiSettings(token="x"))  # loopback: any token (or none) is the user's business


def test_cli_refuses_public_bind_without_token(loop_config, monkeypatch, capsys):
    from adversarial_mlops.cli import main

    monkeypatch.delenv("ADVERSARIAL_MLOPS_API_TOKEN", raising=False)
    started = time.perf_counter()
    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "ADVERSARIAL_MLOPS_API_TOKEN" in capsys.readouterr().err
    assert time.perf_counter() - started < 5  # refused before loading anything heavy


def test_concurrent_predict_requests_each_get_one_version(make_client, registry, tiny_base):  # noqa: F811
    """Many /predict requests in flight on one event loop, a promotion among them: every response
    is answered by exactly one version, with that version's scores, in input order."""
    import asyncio

    import httpx

    logits = {register_constant(registry, tiny_base, 3.0): 3.0}
    app = make_client().app

    async def post(client, i):
        texts = [f"text {i} {j} " * (1 + j) for j in range(1 + i % 4)]
        response = await client.post("/predict", json={"texts": texts})
        assert response.status_code == 200, response.text
        return len(texts), response.json()

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            before = await asyncio.gather(*(post(client, i) for i in range(24)))
            logits[register_constant(registry, tiny_base, -3.0)] = -3.0
            after = await asyncio.gather(*(post(client, i) for i in range(24)))
            last = await post(client, 0)
        return before, after + [last]

    before, after = asyncio.run(main())
    for n_texts, body in before + after:
        assert len(body["results"]) == n_texts
        expected = expected_score(logits[body["model_version"]])
        assert [r["score"] for r in body["results"]] == pytest.approx([expected] * n_texts, abs=1e-5)
        assert {r["label"] for r in body["results"]} == {"malicious" if expected >= 0.5 else "benign"}
    assert {body["model_version"] for _, body in before} == {"v0001"}
    # While one request loads the promoted version the others are still answered by the old one;
    # once it is loaded every request gets it, without a restart.
    assert {body["model_version"] for _, body in after} <= {"v0001", "v0002"}
    assert after[-1][1]["model_version"] == "v0002"
