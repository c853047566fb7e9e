"""Loop runs: trigger one, list them, follow one (status, gate verdict, promotion decision)."""

from __future__ import annotations

import re
from typing import Optional

from fastapi import APIRouter, Body, Depends, Path, Query

from adversarial_mlops.dagster_defs.runs import recent_loop_runs, summarize_run

from ..context import ApiContext, get_context, require_token
from ..errors import ApiError, clean_json
from ..openapi import AUTH_ERRORS, REQUEST_BODY_ERRORS, SERVER_ERROR, VALIDATION_ERROR, responses
from ..schemas import RunList, RunStatus, TriggerRequest, TriggerResponse

RUN_ID_PATTERN = re.compile(r"[0-9a-fA-F-]{1,64}")
router = APIRouter(prefix="/pipeline", tags=["pipeline"])


@router.post("/trigger", status_code=202, response_model=TriggerResponse, dependencies=[Depends(require_token)],
             responses=responses(REQUEST_BODY_ERRORS, AUTH_ERRORS, VALIDATION_ERROR, SERVER_ERROR, {
                 409: "a loop is already running in this state directory (run_id names it); one at a time",
                 503: "the run could not be started"}))
def trigger(request: Optional[TriggerRequest] = Body(None), context: ApiContext = Depends(get_context)) -> dict:
    """Start one loop run (a Dagster run the UI shows); one at a time."""
    request = request or TriggerRequest()
    run_id = context.launcher.launch(request.overrides, force_retrain=request.force_retrain)
    url = context.settings.dagster_url
    link = f"{url.rstrip('/')}/runs/{run_id}" if url else None
    return {"run_id": run_id, "status_url": f"/pipeline/runs/{run_id}", "dagster_url": link}


def run_status(context: ApiContext, run_id: str, in_flight: str | None) -> dict:
    summary = summarize_run(context.instance, run_id, context.assets_dir)
    data = summary.to_dict()
    data.update(gate=summary.gate, promotion=summary.decision, in_flight=in_flight == run_id)
    return clean_json(data)


@router.get("/runs/{run_id}", response_model=RunStatus,
            responses=responses(SERVER_ERROR, {404: "no loop run with that id"}))
def get_run(run_id: str = Path(description="a run id from GET /pipeline/runs (any other form: 404)",
                               json_schema_extra={"pattern": f"^{RUN_ID_PATTERN.pattern}$"}),
            context: ApiContext = Depends(get_context)) -> dict:
    """Status, per-asset outcome, quality-gate verdict with numbers, promotion decision."""
    if not RUN_ID_PATTERN.fullmatch(run_id):
        raise ApiError(404, f"no loop run with id {run_id[:80]!r}; run ids look like "
                            "'0f3c…-…' (see GET /pipeline/runs)")
    return run_status(context, run_id, context.in_flight_run())


@router.get("/runs", response_model=RunList, responses=responses(VALIDATION_ERROR, SERVER_ERROR))
def list_runs(limit: int = Query(20, ge=1, le=200, description="most recent first"),
              context: ApiContext = Depends(get_context)) -> dict:
    """Recent loop runs (API, CLI or UI launched), most recent first."""
    in_flight = context.in_flight_run()
    runs = [run_status(context, run_id, in_flight) for run_id in recent_loop_runs(context.instance, limit)]
    return {"running": in_flight, "runs": runs}
