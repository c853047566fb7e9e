import threading

from adversarial_mlops.loop.progress import Heartbeat


def test_a_long_phase_is_repeated_with_the_time_spent_and_reports_pass_through():
    lines, repeated = [], threading.Event()

    def log(line: str) -> None:
        lines.append(line)
        if "still running" in line:
            repeated.set()

    with Heartbeat(log, "evaluation_report", every_s=0.05) as beat:
        beat("scoring 2,400 variants")
        assert repeated.wait(timeout=30), lines  # the step said nothing more; the heartbeat did
    assert lines[0] == "scoring 2,400 variants"
    assert any(line.startswith("evaluation_report: scoring 2,400 variants (still running,") for line in lines)
    count = len(lines)
    assert not [t for t in threading.enumerate() if t.name == "heartbeat-evaluation_report"]  # stopped on exit
    assert len(lines) == count
