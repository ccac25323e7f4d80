"""Benchmark ``funnelspec simulate`` on a 6-stage funnel.

Measures, in one run:

1. Monte Carlo with numpy on 1,000,000 opportunities, against a
   straightforward SimPy model (one process per opportunity) of the same
   funnel. SimPy runs fewer opportunities, and its time is extrapolated
   linearly per opportunity.
2. Peak memory of a child process running simulate() on 10,000,000
   opportunities: its resident high-water mark (VmHWM, Linux only), the
   same for a child doing only the imports, and tracemalloc's peak.
3. The exact method: the whole ``simulate(method="exact")`` call (chain,
   solve, bottlenecks) and the linear solve alone.

Run from the repository root: ``python benchmarks/simulate.py``. SimPy comes
from the ``bench`` extra (``pip install '.[bench]'``).

Times are CPU time of this process (time.process_time), which other load on
a shared machine disturbs less than wall-clock time. The numpy code here is
single-threaded, so on an idle machine the two agree.
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date

from funnelspec.simulate import simulate
from funnelspec.simulate.exact import solve
from funnelspec.simulate.model import Chain, Durations, build_chain, build_durations
from funnelspec.simulate.montecarlo import sample
from funnelspec.spec.loader import load_text
from funnelspec.spec.model import Spec
from funnelspec.spec.parse import parse_document

SIX_STAGES = """\
funnelspec: 1
name: Six-stage benchmark funnel
motion: b2b
conversion_period: 6 months
inflow: 400 per month
deal_value: 300000
stages:
  - {id: engaged, owner: marketing, conversion: 0.35, duration: 2 weeks}
  - {id: qualified, owner: sales, conversion: 0.5,
     duration: {median: 3 weeks, p90: 8 weeks}}
  - {id: evaluating, owner: sales, conversion: 0.6,
     duration: {median: 4 weeks, p90: 10 weeks}}
  - {id: proposal, owner: sales, conversion: 0.55,
     duration: {median: 3 weeks, p90: 6 weeks}}
  - {id: negotiation, owner: sales, conversion: 0.8,
     duration: {median: 2 weeks, p90: 5 weeks}}
  - {id: contract, owner: sales, conversion: 0.9, duration: {fixed: 1 week}}
"""
SEED = 1
NUMPY_REPEAT = 3


def six_stage_spec() -> Spec:
    spec = parse_document(load_text(SIX_STAGES, "six-stages.yaml"))
    assert spec is not None
    return spec


def simpy_model(
    chain: Chain, durations: Durations, count: int, seed: int
) -> list[float]:
    """Simulate ``count`` opportunities, one SimPy process each; return days to won."""
    import simpy

    rng = random.Random(seed)
    environment = simpy.Environment()
    won_days: list[float] = []
    rows = chain.transitions.tolist()
    medians = durations.median.tolist()
    sigmas = durations.sigma.tolist()

    def opportunity(start: float) -> Iterator[object]:
        yield environment.timeout(start)
        stage = 0
        while True:
            yield environment.timeout(
                medians[stage] * math.exp(sigmas[stage] * rng.gauss())
            )
            draw = rng.random()
            target = 0
            cumulative = rows[stage][0]
            while draw >= cumulative and target < len(rows[stage]) - 1:
                target += 1
                cumulative += rows[stage][target]
            if target == chain.won:
                won_days.append(environment.now - start)
                return
            if target == chain.lost:
                return
            stage = target

    for _ in range(count):
        environment.process(opportunity(rng.random() * 30.44))
    environment.run()
    return won_days


_MEMORY_CHILD = """
import sys, tracemalloc
sys.path.insert(0, "benchmarks")
from simulate import six_stage_spec
from funnelspec.simulate import simulate
count, traced = int(sys.argv[1]), sys.argv[2] == "traced"
spec = six_stage_spec()
if traced:
    tracemalloc.start()
if count:
    simulate(spec, opportunities=count, seed=1)
if traced:
    print(tracemalloc.get_traced_memory()[1])
else:
    status = open("/proc/self/status", encoding="ascii").read()
    print(int(status.split("VmHWM:")[1].split()[0]) * 1024)
"""


def child_peak_mib(opportunities: int, traced: bool) -> float:
    """Run simulate() in a child process and return its peak memory in MiB.

    Untraced, the peak is VmHWM, the high-water resident set of the child's
    own address space. ru_maxrss is not used, because on Linux it keeps the
    resident set of the parent process that the child was forked from.
    Traced, the peak is tracemalloc's, which numpy reports its arrays to.
    """
    mode = "traced" if traced else "rss"
    completed = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(opportunities), mode],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(completed.stdout) / (1024 * 1024)


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        timings.append(time.process_time() - start)
    return statistics.median(timings)


def compare_with_simpy(spec: Spec, count: int, simpy_count: int) -> None:
    chain = build_chain(spec)
    durations = build_durations(spec, chain.stage_ids)
    sampler_seconds = median_seconds(
        lambda: sample(chain, durations, count, SEED), NUMPY_REPEAT
    )
    samples = sample(chain, durations, count, SEED)
    full_seconds = median_seconds(
        lambda: simulate(spec, method="monte-carlo", opportunities=count, seed=SEED),
        NUMPY_REPEAT,
    )
    start = time.process_time()
    won_days = simpy_model(chain, durations, simpy_count, SEED)
    simpy_seconds = time.process_time() - start

    simpy_per = simpy_seconds / simpy_count
    print(f"exact win rate: {solve(chain.transitions).win_rate:.5f}")
    print(
        f"SimPy, {simpy_count:,} opportunities: {simpy_seconds:.2f} s "
        f"({simpy_per * 1e9:,.0f} ns per opportunity), win rate "
        f"{len(won_days) / simpy_count:.5f}; extrapolated to {count:,}: "
        f"{simpy_per * count:.1f} s"
    )
    for label, seconds in (
        ("numpy sampler, same outputs as the SimPy model", sampler_seconds),
        ("numpy, whole simulate() call with the 12-month cohort", full_seconds),
    ):
        per = seconds / count
        print(
            f"{label}, {count:,} opportunities (median of {NUMPY_REPEAT}): "
            f"{seconds:.3f} s ({per * 1e9:.0f} ns per opportunity), "
            f"{simpy_per / per:.0f}x faster than SimPy per opportunity"
        )
    print(f"numpy sampler win rate: {samples.won / count:.5f}")


def measure_memory(count: int) -> None:
    baseline = child_peak_mib(0, traced=False)
    peak = child_peak_mib(count, traced=False)
    traced = child_peak_mib(count, traced=True)
    print(f"peak resident memory (VmHWM), imports and spec only: {baseline:.0f} MiB")
    print(
        f"peak resident memory (VmHWM), whole simulate() call on {count:,} "
        f"opportunities: {peak:.0f} MiB"
    )
    print(f"peak traced allocations (tracemalloc), same call: {traced:.0f} MiB")


def measure_exact(spec: Spec) -> None:
    chain = build_chain(spec)
    simulate(spec, method="exact")
    whole = median_seconds(lambda: simulate(spec, method="exact"), 200)
    alone = median_seconds(lambda: solve(chain.transitions), 2000)
    print(
        "exact method, whole simulate(method='exact') call with bottlenecks "
        f"(median of 200): {whole * 1e3:.3f} ms"
    )
    print(f"exact method, linear solve alone (median of 2000): {alone * 1e6:.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--simpy-opportunities", type=int, default=100_000)
    parser.add_argument("--memory-opportunities", type=int, default=10_000_000)
    arguments = parser.parse_args()
    import numpy
    import simpy

    print(f"date: {date.today().isoformat()}")
    print(
        f"python {platform.python_version()}, numpy {numpy.__version__}, "
        f"simpy {simpy.__version__}; {_cpu_name()}, {_cores()} cores available"
    )
    spec = six_stage_spec()
    compare_with_simpy(spec, arguments.opportunities, arguments.simpy_opportunities)
    measure_memory(arguments.memory_opportunities)
    measure_exact(spec)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _cores() -> int:
    import os

    return (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else (os.cpu_count() or 1)
    )


if __name__ == "__main__":
    main()
