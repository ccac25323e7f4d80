"""The pre-commit hook, run by the real pre-commit tool in a temporary repository.

The hook repository is a fresh git repository holding a copy of this
package's source and .pre-commit-hooks.yaml, so the test covers uncommitted
changes too. pre-commit installs the hook's environment with pip, from PyPI
or the pip cache, which takes 20 to 40 seconds the first time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Files pip needs to build the package, and the hook definition.
HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]


def git(*args: str, cwd: Path) -> str:
    identity = {
        "GIT_AUTHOR_NAME": "funnelspec tests",
        "GIT_AUTHOR_EMAIL": "tests@example.invalid",
        "GIT_COMMITTER_NAME": "funnelspec tests",
        "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    }
    completed = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env={**os.environ, **identity},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def make_hook_repo(folder: Path) -> str:
    """Commit a copy of the package and its hook definition; return the commit."""
    folder.mkdir()
    for name in HOOK_REPO_FILES:
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(
        ROOT / "funnelspec",
        folder / "funnelspec",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    git("init", "-q", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "hook repository", cwd=folder)
    return git("rev-parse", "HEAD", cwd=folder)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with a good spec, a bad spec, other YAML and the config."""
    base = tmp_path_factory.mktemp("precommit")
    revision = make_hook_repo(base / "hooks")
    project = base / "project"
    project.mkdir()
    shutil.copy(ROOT / "specs" / "industrial-3d-design.yaml", project / "good.yaml")
    shutil.copy(
        ROOT / "tests" / "report" / "specs" / "duplicate-id.yaml", project / "bad.yaml"
    )
    (project / "workflow.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    (project / "notes.md").write_text("funnelspec: 1\n", encoding="utf-8")
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {(base / 'hooks').as_posix()}\n"
        f"    rev: {revision}\n"
        "    hooks:\n"
        "      - id: funnelspec\n",
        encoding="utf-8",
    )
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    return project


def pre_commit(project: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(project.parent / "cache")}
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "run",
            "--color",
            "never",
            "--files",
            *files,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_hook_passes_good_spec(project: Path) -> None:
    outcome = pre_commit(project, "good.yaml")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "funnelspec lint" in outcome.stdout
    assert "Passed" in outcome.stdout


def test_hook_fails_bad_spec(project: Path) -> None:
    outcome = pre_commit(project, "bad.yaml", "good.yaml")
    assert outcome.returncode == 1
    assert "Failed" in outcome.stdout
    assert "- hook id: funnelspec" in outcome.stdout
    assert (
        "bad.yaml:18:9: FS101 error stage id 'engaged' is already used by "
        "stages[0] (line 13) [duplicate-stage-id]"
    ) in outcome.stdout
    assert "good.yaml:" not in outcome.stdout


def test_hook_skips_other_yaml(project: Path) -> None:
    outcome = pre_commit(project, "workflow.yml", "good.yaml")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "not a funnel spec" not in outcome.stdout


def test_hook_ignores_non_yaml(project: Path) -> None:
    outcome = pre_commit(project, "notes.md")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "(no files to check)Skipped" in outcome.stdout
