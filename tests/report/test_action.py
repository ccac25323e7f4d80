"""The composite GitHub Action: its inputs, and its lint step run locally with bash.

GitHub itself is not reachable from the tests, so the step's script runs with
the environment the runner would give it and funnelspec from this virtualenv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(
        (ROOT / "action.yml").read_text(encoding="utf-8")
    )
    return loaded


def lint_step(action: dict[str, Any]) -> dict[str, Any]:
    steps = action["runs"]["steps"]
    step: dict[str, Any] = next(s for s in steps if s["name"] == "Lint funnel specs")
    return step


def run_step(action: dict[str, Any], **inputs: str) -> subprocess.CompletedProcess[str]:
    step = lint_step(action)
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "PATHS": inputs.get("paths", "."),
        "SARIF_FILE": inputs.get("sarif_file", ""),
        "FAIL_ON": inputs.get("fail_on", "warning"),
    }
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_action_is_composite(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "sarif-file", "fail-on", "python-version"}
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"]


def test_action_step_env_uses_inputs(action: dict[str, Any]) -> None:
    assert lint_step(action)["env"] == {
        "PATHS": "${{ inputs.paths }}",
        "SARIF_FILE": "${{ inputs.sarif-file }}",
        "FAIL_ON": "${{ inputs.fail-on }}",
    }


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_lint_writes_sarif(action: dict[str, Any], tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    outcome = run_step(
        action,
        paths="specs tests/report/specs/invalid-rate.yaml",
        sarif_file=str(sarif),
        fail_on="error",
    )
    assert outcome.returncode == 1, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert len(lines) == 24
    assert lines[-1].startswith(
        "::error file=tests/report/specs/invalid-rate.yaml,line=16,col=17,"
    )
    assert (
        len(json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]) == 24
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_action_lint_without_sarif(action: dict[str, Any]) -> None:
    outcome = run_step(action, paths="specs/industrial-3d-design.yaml", sarif_file="")
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.stdout == ""
    assert outcome.stderr == ""
