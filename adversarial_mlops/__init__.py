"""adversarial_mlops: keep a text-threat classifier hardened against evasion.

The domain modules (attacks, metrics, gate, collector, augmentor, trainer, promoter,
registry) are plain Python. The Dagster layer lives in ``adversarial_mlops.dagster_defs``.
Nothing heavy is imported here, so ``adversarial-mlops --help`` stays fast.
"""

__version__ = "0.1.0"
