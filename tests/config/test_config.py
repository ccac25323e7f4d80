"""Configuration files: discovery, validation with positions, resolution."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from funnelspec.cli import cli
from funnelspec.lint import lint_paths
from funnelspec.rules.config import ConfigError, ConfigResolver, load_config

CONFIG = Path(__file__).resolve().parent.parent / "fixtures" / "config"


def codes_at(result: object) -> list[tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in result.findings]  # type: ignore[attr-defined]


def test_rule_turned_off() -> None:
    result = lint_paths([str(CONFIG / "project" / "funnels" / "hub.yaml")])
    codes = {finding.code for finding in result.findings}
    assert "FS205" not in codes


def test_ignore_by_prefix() -> None:
    result = lint_paths([str(CONFIG / "project" / "funnels" / "hub.yaml")])
    codes = {finding.code for finding in result.findings}
    assert not any(code.startswith("FS5") for code in codes)


def test_option_changes_message() -> None:
    result = lint_paths([str(CONFIG / "project" / "funnels" / "hub.yaml")])
    [sla] = [f for f in result.findings if f.code == "FS303"]
    assert "within 48 hours" in sla.message
    assert (sla.line, sla.column) == (9, 1)


def test_severity_raised() -> None:
    config = load_config(CONFIG / "project" / ".funnelspec.yaml")
    assert config.ruleset["FS201"].severity.label == "error"
    assert config.ruleset["FS201"].options["min"] == 4


def test_custom_field_required_rule() -> None:
    result = lint_paths([str(CONFIG / "project" / "funnels" / "hub.yaml")])
    custom = [f for f in result.findings if f.code == "ACME001"]
    assert len(custom) == 5
    assert (custom[0].line, custom[0].column) == (15, 5)
    assert custom[0].message == (
        "sales-owned stage 'appointment_scheduled' states no exit_criteria"
    )
    assert custom[0].name == "sales-stage-exit-criteria"


def test_override_applies_by_glob() -> None:
    result = lint_paths(
        [str(CONFIG / "project" / "funnels" / "marketing" / "hub.yaml")]
    )
    codes = {finding.code for finding in result.findings}
    assert "ACME001" not in codes
    [sla] = [f for f in result.findings if f.code == "FS303"]
    assert sla.severity.label == "error"


def test_override_leaves_other_files() -> None:
    result = lint_paths([str(CONFIG / "project" / "funnels" / "hub.yaml")])
    [sla] = [f for f in result.findings if f.code == "FS303"]
    assert sla.severity.label == "warning"


def test_pyproject_table_found(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CONFIG / "pyproject-project", project)
    result = lint_paths([str(project / "hub.yaml")])
    codes = [finding.code for finding in result.findings]
    assert "FS602" not in codes
    assert "FS201" not in codes
    outcome = [f for f in result.findings if f.code == "FS205"]
    assert outcome[0].severity.label == "info"


def test_config_option_overrides_search() -> None:
    resolver = ConfigResolver(str(CONFIG / "project" / ".funnelspec.yaml"))
    result = lint_paths(["specs/hubspot-default-deal-pipeline.yaml"], config=resolver)
    codes = {finding.code for finding in result.findings}
    assert "ACME001" in codes


def test_invalid_severity_has_position() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(CONFIG / "bad-schema" / ".funnelspec.yaml")
    message = str(raised.value)
    assert message.startswith(f"{CONFIG / 'bad-schema' / '.funnelspec.yaml'}:4:10: ")
    assert "rules.FS204" in message


def test_unknown_option_did_you_mean() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(CONFIG / "bad-option" / ".funnelspec.yaml")
    message = str(raised.value)
    assert ":4:5: " in message
    assert "has no option 'minimum'" in message
    assert "min, max, marketing_min, marketing_max" in message


def test_unknown_key_in_config(tmp_path: Path) -> None:
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("extends: recommended\nignor: [FS2]\n")
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert ":1:1: " in str(raised.value)
    assert "'ignor'" in str(raised.value)


def test_unknown_rule_code(tmp_path: Path) -> None:
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("rules:\n  FS999: off\n")
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert ":2:10: " in str(raised.value)
    assert "unknown rule FS999" in str(raised.value)


def test_unknown_check(tmp_path: Path) -> None:
    config = tmp_path / ".funnelspec.yaml"
    config.write_text(
        "rules:\n  X1:\n    name: x\n    check: no-such-check\n    message: m\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert ":4:12: " in str(raised.value)
    assert "unknown check 'no-such-check'" in str(raised.value)


def test_extends_missing_file(tmp_path: Path) -> None:
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("extends: ./team.yaml\n")
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert ":1:10: " in str(raised.value)
    assert "neither a built-in" in str(raised.value)


def test_extends_loop(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: ./b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: ./a.yaml\n")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "a.yaml")
    assert "extends form a loop" in str(raised.value)


def test_extends_user_ruleset(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text("ruleset: team\nrules:\n  FS201: off\n")
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("extends: ./team.yaml\nrules:\n  FS205: info\n")
    ruleset = load_config(config).ruleset
    assert not ruleset.is_active("FS201")
    assert ruleset["FS205"].severity.label == "info"
    assert ruleset.is_active("FS101")


def test_marketing_ruleset(tmp_path: Path) -> None:
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("extends: marketing\n")
    ruleset = load_config(config).ruleset
    assert ruleset["FS201"].options["max"] == 10
    assert not ruleset.is_active("FS202")


def test_select_keeps_parse_rules(tmp_path: Path) -> None:
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("select: [FS2]\n")
    ruleset = load_config(config).ruleset
    assert ruleset.is_active("FS002")
    assert ruleset.is_active("FS204")
    assert not ruleset.is_active("FS301")


def test_plugin_check_from_file() -> None:
    result = lint_paths([str(CONFIG / "plugin-project" / "hub.yaml")])
    [finding] = [f for f in result.findings if f.code == "ACME100"]
    assert finding.message == "funnel states no currency; add currency: EUR"
    assert (finding.line, finding.column) == (9, 1)


def test_cli_bad_config_exit_two(runner: CliRunner) -> None:
    outcome = runner.invoke(
        cli,
        ["lint", "--config", str(CONFIG / "bad-schema" / ".funnelspec.yaml"), "specs"],
    )
    assert outcome.exit_code == 2
    assert "rules.FS204" in outcome.output
    assert "Traceback" not in outcome.output


def test_cli_missing_config_exit_two(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", "--config", "nope.yaml", "specs"])
    assert outcome.exit_code == 2
    assert "configuration file not found" in outcome.output


def test_config_command_shows_origin(runner: CliRunner) -> None:
    spec = CONFIG / "project" / "funnels" / "marketing" / "hub.yaml"
    outcome = runner.invoke(cli, ["config", str(spec)])
    assert outcome.exit_code == 0, outcome.output
    assert "FS303:" in outcome.output
    assert "severity: error" in outcome.output
    assert ".funnelspec.yaml" in outcome.output


def test_bad_duration_option_exit_two(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / ".funnelspec.yaml").write_text("rules:\n  FS303: {max: 48 hourz}\n")
    spec = tmp_path / "hub.yaml"
    spec.write_text(Path("specs/hubspot-default-deal-pipeline.yaml").read_text())
    outcome = runner.invoke(cli, ["lint", str(spec)])
    assert outcome.exit_code == 2
    assert "rule FS303 (slow-follow-up), set in" in outcome.output
    assert "unknown duration unit 'hourz'" in outcome.output
    assert "Traceback" not in outcome.output


def test_custom_rule_missing_option(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / ".funnelspec.yaml").write_text(
        "rules:\n  X1: {name: x, check: range, message: m}\n"
    )
    spec = tmp_path / "hub.yaml"
    spec.write_text(Path("specs/hubspot-default-deal-pipeline.yaml").read_text())
    outcome = runner.invoke(cli, ["lint", str(spec)])
    assert outcome.exit_code == 2
    assert "rule X1 (x)" in outcome.output
    assert "missing option 'field'" in outcome.output


def test_empty_folder_warns(tmp_path: Path, runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["lint", str(tmp_path)])
    assert outcome.exit_code == 0
    assert "no funnel specs found in" in outcome.output


def test_config_command_missing_spec(runner: CliRunner) -> None:
    outcome = runner.invoke(cli, ["config", "no-such-spec.yaml"])
    assert outcome.exit_code == 2
    assert "does not exist" in outcome.output


def test_custom_rule_on_spec(tmp_path: Path) -> None:
    (tmp_path / ".funnelspec.yaml").write_text(
        "rules:\n  X1:\n    name: deal-value\n    check: field-required\n"
        "    given: {on: spec}\n    options: {field: deal_value}\n"
        "    message: 'funnel states no {field}'\n"
    )
    spec = tmp_path / "hub.yaml"
    spec.write_text(Path("specs/hubspot-default-deal-pipeline.yaml").read_text())
    result = lint_paths([str(spec)])
    found = [(f.code, f.line, f.message) for f in result.findings if f.code == "X1"]
    assert found == [("X1", 9, "funnel states no deal_value")]
