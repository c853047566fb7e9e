"""What people read about a loop: markdown tables, plots, the loop's HTML report and each model's card.

Plain Python over the plain dicts the judging functions return (evaluation report, gate verdict,
A/B decision, registry history); the Dagster layer and the CLI call it, nothing here decides.
"""
