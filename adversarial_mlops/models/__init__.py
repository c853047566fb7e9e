"""The models: loading and scoring, training, the registry, serving, input normalisation."""
