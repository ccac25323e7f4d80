"""``docs`` and ``audit`` with a team's configuration file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.publish.audit import build_audit, write_audit
from funnelspec.publish.docs import write_docs
from funnelspec.publish.render import escape_markdown
from funnelspec.publish.scorecard import Criterion
from funnelspec.rules.config import ConfigError, ConfigResolver

from .helpers import HUBSPOT, SPECS

#: Monte Carlo size for tests that do not look at times to close.
SMALL = 2_000
#: Turns off FS205 (missing key outcome, five findings in the HubSpot spec)
#: and adds two rules of the team's own: ACME001 finds five stages in the
#: HubSpot spec, ACME002 finds nothing.
TEAM_CONFIG = """\
extends: recommended
rules:
  FS205: "off"
  ACME001:
    name: sales-stage-exit-criteria
    summary: every sales-owned stage states its exit criteria
    check: field-required
    given: {owner: sales}
    options: {field: exit_criteria}
    message: "sales-owned stage '{id}' states no {field}"
    fix: List what the buyer has done when the stage is complete.
    rationale: Exit criteria let a reviewer check where each stage ends.
  ACME002:
    name: stage-owner-stated
    summary: every stage names its owner
    check: field-required
    options: {field: owner}
    message: "stage '{id}' states no {field}"
"""
#: FS201 has the options min and max, not minimum.
BAD_CONFIG = "rules:\n  FS201: {minimum: 3}\n"


@pytest.fixture
def team_spec(tmp_path: Path) -> Path:
    """Return a copy of the HubSpot spec beside the team's .funnelspec.yaml."""
    (tmp_path / ".funnelspec.yaml").write_text(TEAM_CONFIG, encoding="utf-8")
    spec = tmp_path / "pipeline.yaml"
    spec.write_bytes(HUBSPOT.read_bytes())
    return spec


@pytest.fixture
def bad_spec(tmp_path: Path) -> Path:
    """Return a copy of the HubSpot spec beside an invalid .funnelspec.yaml."""
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / ".funnelspec.yaml").write_text(BAD_CONFIG, encoding="utf-8")
    spec = folder / "pipeline.yaml"
    spec.write_bytes(HUBSPOT.read_bytes())
    return spec


def criteria_by_label(
    path: Path, config: ConfigResolver | None = None
) -> dict[str, Criterion]:
    card = build_audit(str(path), SMALL, 1, config).scorecard
    return {
        criterion.label: criterion
        for factor in card.factors
        for criterion in factor.criteria
    }


def test_docs_rule_off_disappears(team_spec: Path, tmp_path: Path) -> None:
    team = write_docs([str(team_spec)], tmp_path / "team", "md", force=False)
    builtin = write_docs([str(HUBSPOT)], tmp_path / "builtin", "md", force=False)
    team_page = (team.directory / "pipeline.md").read_text(encoding="utf-8")
    builtin_page = (builtin.directory / "hubspot-default-deal-pipeline.md").read_text(
        encoding="utf-8"
    )
    assert "FS205 missing-key-outcome" in builtin_page
    assert "FS205" not in team_page


def test_docs_custom_rule_appears(team_spec: Path, tmp_path: Path) -> None:
    write_docs([str(team_spec)], tmp_path / "out", "md", force=False)
    page = (tmp_path / "out" / "pipeline.md").read_text(encoding="utf-8")
    assert page.count("ACME001 sales-stage-exit-criteria") == 5
    assert "List what the buyer has done when the stage is complete." in page


def test_docs_names_configuration(team_spec: Path, tmp_path: Path) -> None:
    write_docs([str(team_spec)], tmp_path / "out", "html", force=False)
    page = (tmp_path / "out" / "pipeline.html").read_text(encoding="utf-8")
    config = tmp_path / ".funnelspec.yaml"
    assert f"linted with the configuration in {config}." in page


def test_docs_names_builtin_ruleset(tmp_path: Path) -> None:
    write_docs([str(HUBSPOT)], tmp_path, "md", force=False)
    page = (tmp_path / "hubspot-default-deal-pipeline.md").read_text()
    assert "linted with the built-in recommended ruleset." in page


def test_audit_rule_off_not_in_themes(team_spec: Path) -> None:
    themes = build_audit(str(team_spec), SMALL, 1).themes
    failed = {group.rule.code for theme in themes for group in theme.failed}
    passed = {rule.code for theme in themes for rule in theme.passed}
    assert "FS205" not in failed
    assert "FS205" not in passed
    assert "FS206" in passed


def test_audit_rule_off_not_scored(team_spec: Path) -> None:
    criteria = criteria_by_label(team_spec)
    outcome = criteria["Every stage names its key outcome"]
    assert outcome.earned == 20
    assert outcome.detail == ("not scored: FS205 off in the configuration; full points")
    builtin = criteria_by_label(HUBSPOT)["Every stage names its key outcome"]
    assert builtin.earned == 0


def test_audit_custom_rule_theme(team_spec: Path) -> None:
    themes = {
        theme.title: theme for theme in build_audit(str(team_spec), SMALL, 1).themes
    }
    other = themes["Other rules"]
    (group,) = other.failed
    assert group.rule.code == "ACME001"
    assert group.rule.rationale == (
        "Exit criteria let a reviewer check where each stage ends."
    )
    assert len(group.findings) == 5
    assert [rule.code for rule in other.passed] == ["ACME002"]


def test_audit_custom_rule_recommended(team_spec: Path) -> None:
    items = build_audit(str(team_spec), SMALL, 1).recommendations
    actions = {item.title: item.action for item in items}
    title = "Fix ACME001 sales-stage-exit-criteria (lines 15, 19, 23, 27, 32)"
    assert actions[title] == "List what the buyer has done when the stage is complete."


def test_audit_report_names_configuration(team_spec: Path, tmp_path: Path) -> None:
    output = tmp_path / "audit.md"
    write_audit(str(team_spec), output, opportunities=SMALL, seed=1)
    text = output.read_text(encoding="utf-8")
    config = escape_markdown(str(tmp_path / ".funnelspec.yaml"))
    assert f"with the configuration in {config}." in text
    assert "with the built-in recommended ruleset" not in text


def test_audit_builtin_named(tmp_path: Path) -> None:
    output = tmp_path / "audit.md"
    write_audit(str(HUBSPOT), output, opportunities=SMALL, seed=1)
    text = output.read_text(encoding="utf-8")
    assert f"from {HUBSPOT} with the built-in recommended ruleset." in text


def test_raised_severity_zeroes_acceleration(tmp_path: Path) -> None:
    config = tmp_path / "strict.yaml"
    config.write_text("rules:\n  FS205: error\n", encoding="utf-8")
    report = build_audit(str(HUBSPOT), SMALL, 1, ConfigResolver(str(config)))
    assert report.scorecard.zero_reasons == ("the spec has 5 error findings (FS205)",)
    titles = [item.title for item in report.recommendations]
    assert titles[0] == "Fix FS205 missing-key-outcome (line 15)"
    assert "Every stage names its key outcome" not in titles


def test_wins_nothing_without_errors(tmp_path: Path) -> None:
    # With FS104 off, a conversion of 0 leaves no error, but nothing is won.
    config = tmp_path / "lenient.yaml"
    config.write_text('rules:\n  FS104: "off"\n', encoding="utf-8")
    spec = tmp_path / "zero.yaml"
    spec.write_text(
        HUBSPOT.read_text(encoding="utf-8").replace(
            "conversion: 0.5 ", "conversion: 0.0 ", 1
        ),
        encoding="utf-8",
    )
    resolver = ConfigResolver(str(config))
    card = build_audit(str(spec), SMALL, 1, resolver).scorecard
    assert card.zero_reasons == ("the funnel wins nothing (simulated win rate 0%)",)


def test_b2c_role_criteria_not_scored() -> None:
    criteria = criteria_by_label(SPECS / "b2c-car-dealership.yaml")
    role = criteria["The decision maker is engaged"]
    assert role.earned == 15
    assert role.detail == (
        "not scored: FS601 does not apply when motion is b2c; full points"
    )


def test_config_option_replaces_search(team_spec: Path, tmp_path: Path) -> None:
    builtin_like = tmp_path / "plain.yaml"
    builtin_like.write_text("extends: recommended\n", encoding="utf-8")
    resolver = ConfigResolver(str(builtin_like))
    themes = build_audit(str(team_spec), SMALL, 1, resolver).themes
    failed = {group.rule.code for theme in themes for group in theme.failed}
    assert "FS205" in failed
    assert "ACME001" not in failed


def test_invalid_config_raises(bad_spec: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"has no option 'minimum'"):
        write_docs([str(bad_spec)], tmp_path / "out", "md", force=False)
    assert not (tmp_path / "out").exists()


def test_cli_docs_invalid_config(bad_spec: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    result = CliRunner().invoke(cli, ["docs", str(bad_spec), "-o", str(output)])
    assert result.exit_code == 2
    config = bad_spec.parent / ".funnelspec.yaml"
    assert result.output.startswith(f"funnelspec: error: {config}:2:10: rules.FS201:")
    assert result.output.count("\n") == 1
    assert not output.exists()


def test_cli_audit_invalid_config(bad_spec: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["audit", str(bad_spec), "-o", str(output)])
    assert result.exit_code == 2
    assert "has no option 'minimum' (did you mean 'min'?)" in result.output
    assert result.output.count("\n") == 1
    assert not output.exists()


def test_cli_audit_config_option(team_spec: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_CONFIG, encoding="utf-8")
    output = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["audit", str(team_spec), "-o", str(output), "--config", str(bad)]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"funnelspec: error: {bad}:2:10:")
    assert not output.exists()


def test_cli_docs_config_option(tmp_path: Path) -> None:
    config = tmp_path / "team.yaml"
    config.write_text(TEAM_CONFIG, encoding="utf-8")
    output = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["docs", str(HUBSPOT), "-o", str(output), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    page = (output / "hubspot-default-deal-pipeline.md").read_text(encoding="utf-8")
    assert "FS205" not in page
    assert "ACME001 sales-stage-exit-criteria" in page
    assert f"linted with the configuration in {escape_markdown(str(config))}." in page
