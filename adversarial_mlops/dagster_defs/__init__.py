"""The thin Dagster layer: assets, checks, resources and Definitions wiring the domain core."""
