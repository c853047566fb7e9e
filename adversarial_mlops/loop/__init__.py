"""The loop's steps as plain functions: attack runs, failure collection, augmentation, model lifecycle, generalisation."""
