"""``funnelspec simulate`` through click's runner and once as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from funnelspec.cli import cli

from .helpers import INDUSTRIAL, fixture


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    outcome = runner.invoke(cli, ["simulate", *args])
    return outcome.exit_code, outcome.stdout, outcome.stderr


def test_text_summary(runner: CliRunner) -> None:
    code, out, err = run(runner, str(INDUSTRIAL), "--opportunities", "20000")
    assert code == 0, err
    assert "Win rate        4.62%" in out
    assert "Wins            18.48 per month" in out
    assert "Pipeline value  CNY 5,544,000 per month" in out
    assert "Counts are per 400 opportunities per month." in out


def test_text_tables(runner: CliRunner) -> None:
    code, out, err = run(runner, str(INDUSTRIAL), "--opportunities", "20000")
    assert code == 0, err
    assert "engaged        400.0     140.0  260.0       35.0%  1.0000" in out
    assert "   1  engaged      35% -> 40%        2.64  CNY 792,000" in out
    assert "Time to close (won opportunities, Monte Carlo)" in out
    assert "Cohort forecast: 400.0 opportunities entering evenly" in out


def test_text_required_inflow(runner: CliRunner) -> None:
    code, out, _ = run(
        runner, str(INDUSTRIAL), "--method", "exact", "--target-wins", "20"
    )
    assert code == 0
    assert (
        "Required inflow: 432.9 opportunities per month for 20 wins per month "
        "(now 400.0, +8.2%)"
    ) in out


def test_json_fields(runner: CliRunner) -> None:
    code, out, err = run(
        runner, str(INDUSTRIAL), "--format", "json", "--opportunities", "20000"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["win_rate"] == 0.0462
    assert [stage["id"] for stage in data["stages"]] == [
        "engaged",
        "qualified",
        "evaluating",
        "proposal",
        "negotiation",
    ]
    assert set(data["time_to_close_days"]) == {"p50", "p80", "p90", "mean"}
    assert 0 < data["within_conversion_period"] <= 1
    assert data["bottlenecks"][0]["stage"] == "engaged"
    assert data["basis"] == {"opportunities": 400.0, "period": "month"}
    assert data["monte_carlo"]["opportunities"] == 20000
    assert len(data["cohort"]["months"]) == 12


def test_json_same_seed_same_bytes(runner: CliRunner) -> None:
    args = [str(fixture("loop")), "--format", "json", "--opportunities", "30000"]
    first = run(runner, *args, "--seed", "11")[1]
    second = run(runner, *args, "--seed", "11")[1]
    third = run(runner, *args, "--seed", "12")[1]
    assert first == second
    assert first != third


def test_json_exact_method(runner: CliRunner) -> None:
    code, out, _ = run(runner, str(INDUSTRIAL), "--format", "json", "--method", "exact")
    assert code == 0
    data = json.loads(out)
    assert data["time_to_close_days"] is None
    assert data["monte_carlo"] is None
    assert data["cohort"] is None
    assert data["exact"]["mean_time_to_close_days"] > 0


def test_json_per_week(runner: CliRunner) -> None:
    code, out, _ = run(
        runner,
        str(fixture("linear")),
        "--format",
        "json",
        "--method",
        "exact",
        "--target-wins",
        "4",
        "--per",
        "week",
    )
    assert code == 0
    data = json.loads(out)
    assert data["basis"]["period"] == "week"
    assert data["required_inflow"]["opportunities"] == 25.0
    assert data["required_inflow"]["per"] == "week"


def test_lint_errors_reject(runner: CliRunner) -> None:
    code, out, err = run(runner, str(fixture("lint-error")))
    assert code == 1
    assert out == ""
    assert "FS102 error" in err
    assert "lint-error.yaml has 3 lint errors; fix them before simulating" in err


def test_lint_warnings_go_to_stderr(runner: CliRunner) -> None:
    code, out, err = run(
        runner, str(fixture("linear")), "--format", "json", "--method", "exact"
    )
    assert code == 0
    assert "FS201 warning" in err
    assert "FS201" not in out
    assert json.loads(out)["win_rate"] == 0.16


def test_missing_conversion_exit_two(runner: CliRunner) -> None:
    code, out, err = run(runner, str(fixture("missing-conversion")))
    assert code == 2
    assert out == ""
    assert (
        "missing-conversion.yaml:11:5: stage 'qualified' states no conversion"
    ) in err
    assert "conversion: 0.5" in err
    assert "Traceback" not in err


def test_trapped_loop_rejected_by_lint(runner: CliRunner) -> None:
    code, _, err = run(runner, str(fixture("trapped-loop")))
    assert code == 1
    assert "trapped-loop.yaml:8:9: FS104 error stage 'engaged'" in err


def test_trapped_loop_exit_two(runner: CliRunner, tmp_path: Path) -> None:
    # With FS104 turned off the simulator still finds the loop itself.
    spec = tmp_path / "trapped-loop.yaml"
    spec.write_text(fixture("trapped-loop").read_text())
    (tmp_path / ".funnelspec.yaml").write_text("rules:\n  FS104: 'off'\n")
    code, _, err = run(runner, str(spec))
    assert code == 2
    assert "trapped-loop.yaml:8:5: opportunities that reach stage 'engaged'" in err
    assert "never reach won or lost" in err


def test_capped_loop_warns(runner: CliRunner) -> None:
    code, out, err = run(
        runner, str(fixture("long-loop")), "--format", "json", "--opportunities", "5000"
    )
    assert code == 0
    assert "funnelspec: warning: " in err
    assert "still in a loop after 100 stage visits" in err
    assert json.loads(out)["monte_carlo"]["capped"] > 0


def test_untimed_warns(runner: CliRunner) -> None:
    code, out, err = run(runner, str(fixture("untimed")), "--opportunities", "5000")
    assert code == 0
    assert "no stage states a duration" in err
    assert "states no inflow" in err
    assert "Counts are per 100 opportunities." in out
    assert "Time to close" not in out


def test_file_not_found(runner: CliRunner) -> None:
    code, _, err = run(runner, "no-such-spec.yaml")
    assert code == 2
    assert "no-such-spec.yaml: file not found" in err


def test_not_a_spec(runner: CliRunner) -> None:
    code, _, err = run(runner, str(fixture("not-a-spec")))
    assert code == 2
    assert "not a funnel spec" in err


def test_bad_option_values(runner: CliRunner) -> None:
    assert run(runner, str(INDUSTRIAL), "--opportunities", "0")[0] == 2
    assert run(runner, str(INDUSTRIAL), "--target-wins", "0")[0] == 2
    assert run(runner, str(INDUSTRIAL), "--per", "fortnight")[0] == 2
    assert run(runner, str(INDUSTRIAL), "--months", "0")[0] == 2


def test_stdin(runner: CliRunner) -> None:
    outcome = runner.invoke(
        cli,
        ["simulate", "-", "--method", "exact", "--format", "json"],
        input=INDUSTRIAL.read_text(encoding="utf-8"),
    )
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout)["win_rate"] == 0.0462


def test_help_states_units(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["simulate", "--help"])
    assert outcome.exit_code == 0
    text = " ".join(outcome.stdout.split())
    assert "in months of 30.44 days" in text
    assert "Number of opportunities Monte Carlo samples" in text
    assert "Exit codes" in text


def test_subprocess_json() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "funnelspec",
            "simulate",
            str(INDUSTRIAL),
            "--format",
            "json",
            "--opportunities",
            "10000",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["win_rate"] == 0.0462


def test_import_does_not_load_numpy() -> None:
    code = (
        "import sys, funnelspec.cli, funnelspec.simulate, "
        "funnelspec.commands.simulate; print('numpy' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"
