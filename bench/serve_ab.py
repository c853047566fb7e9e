"""Benchmark: one-text ``POST /predict`` latency of two checkouts of this project, side by side.

    python bench/serve_ab.py --checkout base=DIR --checkout new=DIR --state-dir STATE
                             [--state NAME=STATE] [--precision NAME=P]
                             [--requests 300] [--block 25] [--out bench/results/serve_ab.json]

For a serving change whose effect is a few milliseconds: two separate bench runs would differ by
more than that on a shared machine. Each checkout (e.g. ``git worktree add /tmp/base <commit>``)
runs ``adversarial-mlops serve`` in its own subprocess with the checkout as working directory, so
its own code is imported, on its own copy of STATE's registry (the champion of a completed loop).
One client sends one short text per request (the guardrail-in-front-of-an-LLM-call case) over a
keep-alive connection, in blocks of ``--block`` requests that alternate between the servers, the
order reversed every block, so both see the same machine; texts are bundled texts under 400
characters, the same ones for both. Reports p50/p95/p99/mean per checkout and new/base ratios.

``--state NAME=STATE`` gives one server another state than ``--state-dir``, ``--precision NAME=P`` its
``ADVERSARIAL_MLOPS_SERVE_PRECISION``: e.g. the same checkout twice, one server on a state whose loop ran
under ``model.inference_precision: int8`` (its models calibrated on int8 scores) at int8.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adversarial_mlops.api.settings import PRECISION_ENV_VAR  # noqa: E402
from adversarial_mlops.config import BUNDLED_DATASET  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(checkout: Path, state_dir: Path, work: Path, precision: str | None = None) -> tuple[subprocess.Popen, str]:
    """``adversarial-mlops serve`` from ``checkout`` on a copy of ``state_dir``'s registry."""
    shutil.copytree(state_dir / "registry", work / "state" / "registry")
    config = work / "serve.yaml"
    config.write_text(f"state_dir: {work / 'state'}\nmodel: {{base_model: minilm, window_tokens: 128}}\n")
    port = free_port()
    env = dict(os.environ, DAGSTER_HOME=str(work / "dagster_home"))
    env.pop("ADVERSARIAL_MLOPS_DAGSTER_URL", None)
    env.pop(PRECISION_ENV_VAR, None)
    if precision:
        env[PRECISION_ENV_VAR] = precision
    with open(work / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "adversarial_mlops.cli", "serve", "--config", str(config),
                                    "--port", str(port)], cwd=checkout, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process, f"http://127.0.0.1:{port}"


def wait_ready(client, base: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if client.get(f"{base}/readyz").status_code == 200:
                return
        except Exception:  # noqa: BLE001 - not listening yet
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server at {base} did not become ready:\n{log.read_text()[-2000:]}")


def short_texts(n: int) -> list[str]:
    import pandas as pd

    frame = pd.read_csv(BUNDLED_DATASET)
    return frame[frame["text"].str.len() < 400]["text"].sample(n=n, random_state=0).tolist()


def summary(latencies_s: list[float]) -> dict:
    ms = sorted(1000 * x for x in latencies_s)
    at = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return {"requests": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(at(0.95), 2),
            "p99_ms": round(at(0.99), 2), "mean_ms": round(statistics.mean(ms), 2)}


def measure(servers: dict[str, str], texts: list[str], block: int) -> dict[str, list[float]]:
    import httpx

    names = list(servers)
    latencies = {name: [] for name in names}
    with httpx.Client(timeout=60) as client:
        for name in names:  # warm-up: connection, first batches, thread counts
            for text in texts[:30]:
                client.post(f"{servers[name]}/predict", json={"texts": [text]}).raise_for_status()
        for index, start in enumerate(range(0, len(texts), block)):
            for name in (names if index % 2 == 0 else names[::-1]):
                for text in texts[start:start + block]:
                    started = time.perf_counter()
                    client.post(f"{servers[name]}/predict", json={"texts": [text]}).raise_for_status()
                    latencies[name].append(time.perf_counter() - started)
                time.sleep(0.3)  # let the other server's idle threads settle
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", action="append", required=True, help="NAME=DIR, twice: base first")
    parser.add_argument("--state-dir", type=Path, required=True, help="a completed loop's state (its champion)")
    parser.add_argument("--state", action="append", default=[], help="NAME=STATE: this server's state instead")
    parser.add_argument("--precision", action="append", default=[], help="NAME=P: this server's serving precision")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--block", type=int, default=25)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "serve_ab.json")
    args = parser.parse_args()
    checkouts = dict(item.split("=", 1) for item in args.checkout)
    if len(checkouts) != 2 or any(not (Path(d) / "adversarial_mlops").is_dir() for d in checkouts.values()):
        raise SystemExit("--checkout NAME=DIR twice, each a checkout of this project (a folder with adversarial_mlops/)")
    states = {name: args.state_dir for name in checkouts} | {name: Path(d) for name, d in
                                                            (item.split("=", 1) for item in args.state)}
    precisions = dict(item.split("=", 1) for item in args.precision)
    if not set(states) | set(precisions) <= set(checkouts):
        raise SystemExit(f"--state / --precision name a server that no --checkout names ({', '.join(checkouts)})")
    for name, state in states.items():
        if not (state / "registry").is_dir():
            raise SystemExit(f"state of {name} ({state}): no registry/ there; run a loop first")
    import httpx

    with tempfile.TemporaryDirectory(prefix="serve-ab-") as tmp:
        processes, servers = [], {}
        try:
            for name, checkout in checkouts.items():
                work = Path(tmp) / name
                work.mkdir()
                process, base = start_server(Path(checkout), states[name], work, precisions.get(name))
                processes.append(process)
                with httpx.Client(timeout=10) as client:
                    wait_ready(client, base, process, work / "server.log")
                servers[name] = base
            latencies = measure(servers, short_texts(args.requests), args.block)
        finally:
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)
    (base_name, base), (new_name, new) = ((name, summary(latencies[name])) for name in checkouts)
    result = {"checkouts": {name: {"dir": str(checkouts[name]), "state": str(states[name]),
                                   "precision": precisions.get(name, "config"), **summary(latencies[name])}
                            for name in checkouts},
              "ratio_new_over_base": {key: round(new[key] / base[key], 3) for key in ("p50_ms", "p95_ms", "mean_ms")},
              "base": base_name, "new": new_name, "cpu_count": os.cpu_count(),
              "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
