"""Checks provided by installed packages through the funnelspec.checks group."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from funnelspec.lint import lint_paths
from funnelspec.rules.config import ConfigError, load_config
from funnelspec.rules.registry import CHECKS


def install_fake_distribution(site: Path) -> None:
    """Write a package and its dist-info, as pip would, into a folder."""
    (site / "acme_checks.py").write_text(
        textwrap.dedent(
            """
            from funnelspec.rules.registry import Problem

            def deal_value_stated(context, options):
                if context.spec.deal_value is None:
                    yield Problem(())
            """
        )
    )
    info = site / "acme_checks-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[funnelspec.checks]\nacme-deal-value = acme_checks:deal_value_stated\n"
    )


def test_entry_point_check_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_fake_distribution(site)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(CHECKS, "acme-deal-value", raising=False)
    project = tmp_path / "project"
    project.mkdir()
    (project / ".funnelspec.yaml").write_text(
        "rules:\n  ACME200:\n    name: deal-value\n    check: acme-deal-value\n"
        "    message: funnel states no deal value\n"
    )
    spec = project / "spec.yaml"
    spec.write_text(Path("specs/hubspot-default-deal-pipeline.yaml").read_text())
    result = lint_paths([str(spec)])
    found = [
        (f.code, f.line, f.message) for f in result.findings if f.code == "ACME200"
    ]
    assert found == [("ACME200", 9, "funnel states no deal value")]
    CHECKS.pop("acme-deal-value", None)


def test_plugin_not_imported_unless_named(tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text("raise SystemExit('imported')\n")
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("extends: recommended\n")
    ruleset = load_config(config).ruleset
    assert "FS201" in ruleset.rules


def test_plugin_import_error_has_position(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import no_such_module_here\n")
    config = tmp_path / ".funnelspec.yaml"
    config.write_text("plugins:\n  - broken.py\n")
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert ":2:5: " in str(raised.value)
    assert "failed to import" in str(raised.value)
