"""Benchmark: design-based variance (build_scripts/statistics/design.py) for a large complex sample.

200,000 respondents in 50 strata of 20 PSUs (1,000 PSUs), unequal weights and an fpc, and a table of 300
cells (10 answers x 30 groups) in one call, in the two shapes a caller gives: a domain per cell
(respondents x cells booleans for both answers and domains), and one domain shared by all cells; then
with the Design built inside the timing, and with no strata and each respondent its own PSU. Prints
the best and median of --runs runs of each, in seconds. No target is asserted: the issue asks for well
under a second or two on an ordinary machine.

Then the breakdown as the pipeline computes it (`breakdown_proportions`: 10 answers by 30 groups, each group
and the rest beside it, from PSU totals), against svy (the Python survey package validated against R's
survey, a bench-only extra) computing the same 300 means by group with their design effects, in the same
run: the time of each, their ratio, and the largest relative difference between the two's standard errors
and design effects (they must agree: svy is a second, independent implementation).

Run: `.venv/bin/python bench/design_variance.py` (seconds), `--respondents N`, `--cells C`, `--runs R`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_scripts.statistics.design import Design, breakdown_proportions, proportions  # noqa: E402


def survey(respondents: int, strata: int, psus: int, cells: int, seed: int = 7):
    """A synthetic design, answers of 10 options and `cells // 10` groups, as respondents x cells booleans."""
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, psus, respondents)
    stratum = psu % strata  # PSU codes are global here, so each PSU lies in one stratum
    weights = rng.gamma(2.0, 50.0, respondents)
    fpc = np.full(respondents, 10.0 * psus / strata)
    answer = rng.integers(0, 10, respondents)
    groups = max(1, cells // 10)
    group = rng.integers(0, groups, respondents)
    asked = rng.random(respondents) < 0.9  # a routed question: a tenth were not asked
    y = np.zeros((respondents, cells), dtype=bool)
    domain = np.zeros((respondents, cells), dtype=bool)
    for cell in range(cells):
        y[:, cell] = answer == cell % 10
        domain[:, cell] = asked & (group == cell // 10)
    return Design(weights, stratum, psu, fpc), y, domain, asked


def timed(job, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200_000)
    parser.add_argument("--strata", type=int, default=50)
    parser.add_argument("--psus", type=int, default=1_000)
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    design, y, domain, asked = survey(args.respondents, args.strata, args.psus, args.cells)
    setup = time.perf_counter() - started
    print(f"{args.respondents:,} respondents, {args.strata} strata, {args.psus:,} PSUs, {args.cells} cells "
          f"(made up in {setup:.2f} s)")
    for name, job in [
        ("a domain per cell", lambda: proportions(design, y, domain, lonely="adjust")),
        ("one shared domain", lambda: proportions(design, y, asked, lonely="adjust")),
        ("the Design too (its sorting)", lambda: proportions(Design(design.weights, design.strata, design.psu,
                                                                    design.fpc), y, domain, lonely="adjust")),
        ("each respondent its own PSU", lambda: proportions(Design(design.weights), y, domain)),
    ]:
        times = timed(job, args.runs)
        print(f"  {name:30} best {min(times):.3f} s, median {statistics.median(times):.3f} s")
    against_svy(design, args.respondents, args.cells, args.runs)


def against_svy(design: Design, respondents: int, cells: int, runs: int) -> None:
    """The pipeline's breakdown (every answer by every group) against svy's means by group, timed and compared."""
    try:
        import polars as pl
        import svy
    except ImportError:
        print("svy is not installed (`make bench` installs it from requirements/bench.txt): no peer measured")
        return
    design = Design(design.weights, design.strata, design.psu)  # PSUs with replacement: svy's wr=True takes no fpc
    rng = np.random.default_rng(11)
    answers, groups = 10, max(1, cells // 10)
    answer = rng.integers(0, answers, respondents)
    group = rng.integers(0, groups, respondents)
    everyone = np.ones(respondents, dtype=bool)
    flags = [(answer == k, 0) for k in range(answers)]
    ours = lambda: breakdown_proportions(design, flags, [everyone], group, groups, srs_replacement=True)  # noqa: E731
    columns = {"stratum": design.strata, "psu": design.psu, "w": design.weights, "group": group.astype(str)}
    columns |= {f"a{k}": (answer == k).astype(float) for k in range(answers)}
    sample = svy.Sample(data=pl.DataFrame(columns), design=svy.Design(stratum="stratum", psu="psu", wgt="w", wr=True))
    peer = lambda: sample.estimation.mean(y=[f"a{k}" for k in range(answers)], by="group", deff="wr")  # noqa: E731
    mine, theirs = timed(ours, runs), timed(peer, runs)
    inside, _ = ours()
    worst_se = worst_deff = 0.0
    for k, estimate in enumerate(peer()):
        table = estimate.to_polars().sort(pl.col("group").cast(pl.Int64))
        at = slice(k * groups, (k + 1) * groups)
        worst_se = max(worst_se, float(np.max(np.abs(inside.se[at] / table["se"].to_numpy() - 1))))
        worst_deff = max(worst_deff, float(np.max(np.abs(inside.deff[at] / table["deff"].to_numpy() - 1))))
    print(f"  breakdown as the pipeline makes it ({answers} answers x {groups} groups, and the rest beside each): "
          f"best {min(mine):.3f} s")
    print(f"  svy {svy.__version__}, the same means by group with design effects (the groups only): "
          f"best {min(theirs):.3f} s; ours {min(mine) / min(theirs):.2f}x of it")
    print(f"  largest relative difference from svy: standard errors {worst_se:.1e}, design effects {worst_deff:.1e}")


if __name__ == "__main__":
    main()
