"""Benchmark ``funnelspec lint`` against plain YAML parsing and yamllint.

Run from the repository root with the project's virtual environment, which
needs the ``bench`` extra for yamllint::

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/lint.py

It writes 1,000 copies of a spec to a temporary directory and times, in one
process, each of these over all copies (file reading included):

- ``funnelspec.lint.lint_paths`` on the directory: what ``funnelspec lint``
  does, less printing;
- ruamel.yaml's C-based composer, ``YAML(typ="safe", pure=False).compose``,
  the baseline every ratio is against;
- ruamel.yaml's round-trip load, ``YAML().load``;
- yamllint's default configuration, ``yamllint.linter.run``.

In-process times are CPU time. Then it times ``python -m funnelspec lint
FILE`` in fresh processes (wall-clock and CPU time), lists what that cold
lint imports, and prints a Markdown section for benchmarks/RESULTS.md. The
exit code is 1 if the cold lint imports numpy, jinja2 or matplotlib.
``--profile`` adds the functions that take most of the time of the
1,000-spec lint.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "specs" / "industrial-3d-design.yaml"
#: Modules the lint path must not import: they belong to simulate and docs.
HEAVY_MODULES = ("numpy", "jinja2", "matplotlib")
#: Goal for the 1,000-spec lint, as a multiple of the C composer's time.
GOAL_RATIO = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="spec to copy")
    parser.add_argument("--copies", type=int, default=1000, help="number of copies")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per in-process timing (best kept)"
    )
    parser.add_argument(
        "--cold-runs", type=int, default=9, help="fresh processes (median kept)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the 1,000-spec lint"
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="funnelspec-bench-") as folder:
        files = write_copies(options.spec, Path(folder), options.copies)
        warm = time_in_process(files, Path(folder), options.repeat)
        cold = time_cold(options.spec, options.cold_runs)
        imports = cold_imports(options.spec)
        print(report(options, warm, cold, imports))
        if options.profile:
            print(profile(Path(folder)))
    heavy = [name for name in HEAVY_MODULES if name in imports.modules]
    return 1 if heavy else 0


def write_copies(spec: Path, folder: Path, copies: int) -> list[Path]:
    text = spec.read_text(encoding="utf-8")
    files = []
    for number in range(copies):
        path = folder / f"funnel-{number:04d}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def best_time(action: Callable[[], object], repeat: int) -> float:
    """Return the least CPU time of ``repeat`` runs, in seconds, after a warm-up.

    CPU time of this process, because other jobs on a shared machine stretch
    wall-clock time.
    """
    action()
    times = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        times.append(time.process_time() - started)
    return min(times)


def time_in_process(files: list[Path], folder: Path, repeat: int) -> dict[str, float]:
    from ruamel.yaml import YAML
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    from funnelspec.lint import lint_paths

    def funnelspec_lint() -> None:
        result = lint_paths([str(folder)])
        assert len(result.files) == len(files), result.errors

    def c_compose() -> None:
        for path in files:
            YAML(typ="safe", pure=False).compose(path.read_text(encoding="utf-8"))

    def round_trip() -> None:
        for path in files:
            YAML().load(path.read_text(encoding="utf-8"))

    yamllint_config = YamlLintConfig("extends: default")

    def yamllint_run() -> None:
        for path in files:
            list(linter.run(path.read_text(encoding="utf-8"), yamllint_config))

    return {
        "funnelspec lint": best_time(funnelspec_lint, repeat),
        "ruamel.yaml C composer": best_time(c_compose, repeat),
        "ruamel.yaml round-trip load": best_time(round_trip, repeat),
        "yamllint (default config)": best_time(yamllint_run, repeat),
    }


def time_cold(spec: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Return the median wall-clock and CPU time of fresh processes, in seconds."""
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -m funnelspec lint FILE": [
            sys.executable,
            "-m",
            "funnelspec",
            "lint",
            str(spec),
        ],
    }
    medians = {}
    for label, command in commands.items():
        wall = []
        cpu = []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
            wall.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(
                after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            )
        medians[label] = (statistics.median(wall), statistics.median(cpu))
    return medians


@dataclass
class ColdImports:
    """Modules and distributions that a cold ``funnelspec lint`` imported."""

    modules: set[str]
    packages: list[str]
    #: The slowest imports at the top level, as (cumulative microseconds, name).
    slowest: list[tuple[int, str]]


def cold_imports(spec: Path) -> ColdImports:
    """Run a cold lint with -X importtime and return what it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "funnelspec", "lint", str(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    line = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")
    modules: set[str] = set()
    top_level: list[tuple[int, str]] = []
    for text in done.stderr.splitlines():
        match = line.match(text)
        if match is None:
            continue
        cumulative, indent, name = int(match[2]), len(match[3]), match[4]
        modules.add(name)
        if indent == 1:
            top_level.append((cumulative, name))
    top_level.sort(reverse=True)
    packages = sorted({name.split(".")[0] for name in modules})
    return ColdImports(modules, packages, top_level[:6])


def profile(folder: Path) -> str:
    from funnelspec.lint import lint_paths

    lint_paths([str(folder)])
    profiler = cProfile.Profile()
    profiler.enable()
    lint_paths([str(folder)])
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    return "```\n" + out.getvalue().strip() + "\n```"


def distributions(packages: list[str]) -> list[str]:
    """Return the installed distributions that provide the top-level modules."""
    provided = metadata.packages_distributions()
    names = {name for package in packages for name in provided.get(package, [])}
    return sorted(names - {"funnelspec"}, key=str.lower)


def machine() -> str:
    model = "unknown"
    lscpu = shutil.which("lscpu")
    if lscpu:
        listing = subprocess.run([lscpu], capture_output=True, text=True).stdout
        found = re.search(r"^Model name:\s*(.+)$", listing, re.MULTILINE)
        model = found[1].strip() if found else model
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        memory = f"{int(found[1]) / 1024**2:.1f} GiB" if found else memory
    return f"{model}, {os.cpu_count()} cores, {memory} memory"


def versions() -> str:
    names = ["funnelspec", "ruamel.yaml", "ruamel.yaml.clib", "pydantic", "yamllint"]
    parts = []
    for name in names:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def report(
    options: argparse.Namespace,
    warm: dict[str, float],
    cold: dict[str, tuple[float, float]],
    imports: ColdImports,
) -> str:
    spec = options.spec.resolve().relative_to(ROOT)
    lines = [
        "## Lint",
        "",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Machine: {machine()}",
        f"- Python {platform.python_version()} ({platform.platform()})",
        f"- Packages: {versions()}",
        f"- Command: `python benchmarks/lint.py` ({options.copies:,} copies of "
        f"`{spec}`, least CPU time of {options.repeat} runs in one process; fresh "
        f"processes are the median of {options.cold_runs} runs)",
        "",
    ]
    lines += warm_table(warm, options.copies)
    lines += ["", *cold_table(cold), ""]
    lines += import_lines(imports, spec)
    return "\n".join(lines)


def warm_table(warm: dict[str, float], copies: int) -> list[str]:
    baseline = warm["ruamel.yaml C composer"]
    lines = [
        f"| {copies:,} specs in one process | CPU seconds | ms per spec | "
        "ratio to C composer |",
        "|---|---:|---:|---:|",
    ]
    for label, seconds in warm.items():
        lines.append(
            f"| {label} | {seconds:.3f} | {seconds / copies * 1000:.2f} | "
            f"{seconds / baseline:.2f} |"
        )
    ratio = warm["funnelspec lint"] / baseline
    verdict = "met" if ratio <= GOAL_RATIO else "missed"
    lines += [
        "",
        f"Goal: {copies:,} specs within {GOAL_RATIO}x of the C composer: "
        f"{verdict} ({ratio:.2f}x).",
    ]
    return lines


def cold_table(cold: dict[str, tuple[float, float]]) -> list[str]:
    lines = [
        "| one spec in a fresh process | wall-clock seconds | CPU seconds |",
        "|---|---:|---:|",
    ]
    for label, (wall, cpu) in cold.items():
        lines.append(f"| `{label}` | {wall:.3f} | {cpu:.3f} |")
    return lines


def import_lines(imports: ColdImports, spec: Path) -> list[str]:
    heavy = [name for name in HEAVY_MODULES if name in imports.modules]
    if heavy:
        verdict = "including " + ", ".join(heavy) + ", which it must not."
    else:
        verdict = "none of " + ", ".join(HEAVY_MODULES) + "."
    slowest = ", ".join(f"{name} {micro / 1000:.0f}" for micro, name in imports.slowest)
    return [
        f"The cold lint imports {len(imports.modules)} modules "
        f"(`python -X importtime -m funnelspec lint {spec}`), {verdict}",
        f"Slowest imports at the top level (cumulative ms): {slowest}.",
        "Installed distributions it loads: "
        + ", ".join(distributions(imports.packages))
        + ".",
    ]


if __name__ == "__main__":
    sys.exit(main())
