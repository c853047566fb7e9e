"""Judging a model: metrics, evaluation, the quality gate, the decision rule and the promotion rule."""
