"""``funnelspec rules``, ``funnelspec rule`` and ``funnelspec config``."""

from __future__ import annotations

import io
import json

import click

from funnelspec.errors import UsageError
from funnelspec.rules.config import Config, ConfigResolver, builtin_config
from funnelspec.rules.docs import rule_text, rules_markdown, rules_table
from funnelspec.spec.units import did_you_mean

_CONFIG_HELP = (
    "Configuration file to use instead of the one found by searching upward "
    "from the current directory."
)


def _config(config_path: str | None, spec: str = "spec.yaml") -> Config:
    return ConfigResolver(config_path).config_for(spec)


@click.command()
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help=_CONFIG_HELP
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help=(
        "text: a table; json: a list of rules; markdown: the rule reference "
        "(docs/rules.md), always for the built-in recommended ruleset."
    ),
)
def rules(config_path: str | None, output_format: str) -> None:
    """List every rule with its code, name, severity and whether it is on.

    'On' means the rule runs under the configuration that applies in the
    current directory (or --config).
    """
    if output_format == "markdown":
        click.echo(rules_markdown(builtin_config().ruleset), nl=False)
        return
    ruleset = _config(config_path).ruleset_for("spec.yaml")
    table = rules_table(ruleset)
    if output_format == "json":
        keys = ("code", "name", "severity", "state")
        click.echo(
            json.dumps([dict(zip(keys, row, strict=True)) for row in table], indent=2)
        )
        return
    width = max(len(name) for _, name, _, _ in table)
    for code, name, severity, state in table:
        click.echo(f"{code:<8} {name:<{width}}  {severity:<8} {state}")


@click.command()
@click.argument("code")
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help=_CONFIG_HELP
)
def rule(code: str, config_path: str | None) -> None:
    """Explain one rule: what it checks, why, its options and two examples.

    CODE is a rule code (FS204) or a rule name (trivial-stage).
    """
    ruleset = _config(config_path).ruleset_for("spec.yaml")
    by_name = {entry.name: entry.code for entry in ruleset.rules.values()}
    key = code.upper() if code.upper() in ruleset.rules else by_name.get(code, code)
    if key not in ruleset.rules:
        hint = did_you_mean(code, [*ruleset.rules, *by_name])
        raise UsageError(f"unknown rule {code!r}{hint}; 'funnelspec rules' lists them")
    click.echo(rule_text(ruleset.rules[key], ruleset.is_active(key)))


@click.command()
@click.argument("spec", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help=_CONFIG_HELP
)
def config(spec: str | None, config_path: str | None) -> None:
    """Print the configuration that applies to SPEC, fully resolved, as YAML.

    SPEC defaults to a spec in the current directory. The output shows the
    file the configuration came from, select and ignore lists, and every rule
    with its severity, options, whether it is active for SPEC, and the file
    that set it last.
    """
    from ruamel.yaml import YAML

    # A spec in the current folder stands for "no SPEC given"; it need not exist.
    spec = spec or "spec.yaml"
    resolved = _config(config_path, spec)
    data = resolved.describe()
    ruleset = resolved.ruleset_for(spec)
    for code, entry in data["rules"].items():
        rule_now = ruleset.rules[code]
        entry["severity"] = rule_now.severity.label
        entry["active"] = ruleset.is_active(code)
        if rule_now.options:
            entry["options"] = dict(rule_now.options)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    click.echo(buffer.getvalue(), nl=False)
