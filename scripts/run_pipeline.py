#!/usr/bin/env python
"""Run the adversarial hardening loop once (manual trigger), as a Dagster run.

Same as `adversarial-mlops run`:
    python scripts/run_pipeline.py [--config FILE] [--force-retrain] [--set key=value ...]
Exit 0 when the loop completed (including "no retraining needed" and "challenger rejected").
"""

import sys
from pathlib import Path

# Runs from a checkout without installation too: the package sits one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adversarial_mlops.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
