"""Benchmark: statistics for a large survey from CSV, against pyarrow reading that CSV, in one run.

Issue 7 ("Scale") asks, as ratios against floors measured in the same run on the same machine:

- time: our statistics step (read the export, validate it, weights, the statistics table: the
  load/validate/weights/statistics path under `pipeline.compute`, without the copy checks, pages or
  charts) for 1,000,000 respondents x 30 questions x 4 segments, against `pyarrow.csv.read_csv`
  just reading the same CSV (target: at most 3x);
- memory: the peak memory of that step against the CSV's size on disk (target: at most 3x);
- growth: the step's time at 10,000, 100,000 and 1,000,000 respondents (linear: a fixed cost per
  question and breakdown, then the time per extra respondent stays roughly flat).

Every measurement runs in a fresh child process that only imports the modules, then does its one
job: the child times itself (imports excluded) and reads its peak resident memory (Linux's VmHWM;
getrusage's ru_maxrss elsewhere) before and after the job. Memory is that difference: what the job
added on top of the interpreter and the libraries, as the operating system counts it, so pyarrow's
and numpy's buffers count as much as Python objects (tracemalloc sees only allocations made through
Python's and numpy's allocators, not pyarrow's memory pool, and slows the job down). A subtraction
within one process rather than a second, import-only child: the baseline is then exactly the
interpreter the job ran in. The surveys are generated in children too, so no child inherits a large
parent's resident size. Times are the best of --runs runs, floor and ours alternating, because other
work on the machine only ever adds time; the median and the CPU seconds are shown beside them.

The survey is synthetic (bench/make_scale_survey.py), written to a temporary folder that is
removed afterwards: the run leaves no files behind.

Beside them, when installed (`make bench` installs requirements/bench.txt), the same weighted counts by Polars
and DuckDB (bench/peers.py), as a data engineer would write them instead: ours should be faster.

Run: `.venv/bin/python bench/scale.py` (about a minute), `--quick` (100,000 respondents, one run,
seconds), `--respondents N`, `--questions Q`, `--segments S`, `--runs R`, `--quote-all`,
`--unweighted`, `--design` (a stratified, clustered sample: design-based variances for every figure), `--code DIR` (measure the build_scripts package in DIR instead, e.g. a git
worktree of an older commit, for before/after figures).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # importing the generator must not leave bench/__pycache__ behind

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
TARGET_TIME, TARGET_MEMORY = 3.0, 3.0
PEERS = ("polars", "duckdb")  # what a data engineer would write instead (bench/peers.py), when installed


# --- what each child process does -------------------------------------------------------------

def _child(job: str, path: str) -> None:
    """Run one job in this fresh process and print its seconds and peak memory as JSON."""
    if job == "pyarrow":
        import pyarrow.csv as pacsv

        def work():
            table = pacsv.read_csv(path)
            return {"rows": table.num_rows}
    elif job in PEERS:
        from peers import peer_counts

        def work():
            return {"rows": peer_counts(job, Path(path))}
    else:
        import build_scripts
        from build_scripts.ingest.load import load_survey, survey_folders
        from build_scripts.statistics.table import statistics_table
        from build_scripts.ingest.validate import validate_survey
        from build_scripts.statistics.weighting import survey_weights

        def work():
            root = Path(path)
            stages, started = {}, time.perf_counter()
            surveys, problems = [], []
            for folder in survey_folders(root / "surveys"):
                survey, found = load_survey(folder, root)
                surveys += [survey] if survey is not None else []
                problems += found
            stages["read"] = time.perf_counter() - started
            for survey in surveys:
                problems += validate_survey(survey)
            stages["validate"] = time.perf_counter() - started - sum(stages.values())
            weights = {}
            for survey in surveys:
                weights[survey.id], found = survey_weights(survey.codebook, survey.responses, survey.responses_file)
                problems += found
            stages["weights"] = time.perf_counter() - started - sum(stages.values())
            if problems:
                raise SystemExit("\n".join(p.describe() for p in problems))
            table = statistics_table(surveys, weights)
            stages["statistics"] = time.perf_counter() - started - sum(stages.values())
            return {"rows": len(table), "stages": stages, "code": str(Path(build_scripts.__file__).parent)}

    before, cpu = _peak_kb(), time.process_time()
    started = time.perf_counter()
    result = work()
    result["seconds"] = time.perf_counter() - started
    result["cpu"] = time.process_time() - cpu
    result["baseline_kb"] = before
    result["peak_kb"] = _peak_kb()
    print(json.dumps(result))


def _peak_kb() -> int:
    """This process's peak resident memory so far, in kilobytes.

    Linux's VmHWM belongs to the running program alone; ru_maxrss also carries the parent's resident
    size at fork over exec (a parent holding a big survey would inflate every child's figure), so
    it is only the fallback where /proc is missing. macOS reports ru_maxrss in bytes.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def _run_child(job: str, path: Path, code: Path | None) -> dict:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", job, str(path)],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"the {job} run failed:\n{done.stdout}{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["added_bytes"] = (result["peak_kb"] - result["baseline_kb"]) * 1024
    result["peak_bytes"] = result["peak_kb"] * 1024
    return result


def _generate(n: int, project: Path, args) -> Path:
    """Write the synthetic survey in a child process, so this one never holds it (see _peak_kb)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--generate", str(n), str(project),
               "--questions", str(args.questions), "--segments", str(args.segments)]
    command += ["--unweighted"] * args.unweighted + ["--quote-all"] * args.quote_all + ["--design"] * args.design
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    return Path(done.stdout.strip().splitlines()[-1])


# --- the machine ----------------------------------------------------------------------------------

def machine() -> dict:
    """What the figures were measured on."""
    info = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "ram": "?"}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram"] = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    import numpy
    import pandas
    import pyarrow

    info["versions"] = (f"Python {platform.python_version()}, pandas {pandas.__version__}, "
                        f"pyarrow {pyarrow.__version__}, numpy {numpy.__version__}")
    info["load"] = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return info


# --- the benchmark --------------------------------------------------------------------------------

def _sizes(respondents: int) -> list[int]:
    """The growth series: a hundredth, a tenth and all of the respondents."""
    return sorted({max(respondents // 100, 100), max(respondents // 10, 100), respondents})


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def main() -> None:
    """Generate the surveys, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000, help="the largest survey (default 1,000,000)")
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--segments", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement at the largest size (default 3)")
    parser.add_argument("--quick", action="store_true", help="100,000 respondents, one run: a smoke test in seconds")
    parser.add_argument("--quote-all", action="store_true", help="quote every text cell of the CSV")
    parser.add_argument("--unweighted", action="store_true", help="no weight column")
    parser.add_argument("--design", action="store_true",
                        help="a stratified, clustered sample (50 strata, 1,000 PSUs) with design-based variances")
    parser.add_argument("--code", type=Path, help="measure the build_scripts package in this folder instead")
    parser.add_argument("--child", nargs=2, metavar=("JOB", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("N", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    if args.generate:
        from make_scale_survey import make_survey

        n, project = args.generate
        print(make_survey(Path(project), int(n), args.questions, args.segments, weighted=not args.unweighted,
                          quote_all=args.quote_all, design=args.design))
        return
    if args.quick:
        args.respondents, args.runs = min(args.respondents, 100_000), 1
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; {info['versions']}")
    print(f"load average at start: {info['load']} (other work on the machine slows every figure)")
    sizes = _sizes(args.respondents)
    with tempfile.TemporaryDirectory(prefix="campaign-scale-") as tmp:
        projects, csv_sizes = {}, {}
        for n in sizes:
            started = time.perf_counter()
            csv_path = _generate(n, Path(tmp) / f"n{n}", args)
            projects[n] = (Path(tmp) / f"n{n}", csv_path)
            csv_sizes[n] = csv_path.stat().st_size
            print(f"generated {n:,} respondents x {args.questions} questions x {args.segments} segments: "
                  f"{_mb(csv_path.stat().st_size)} CSV in {time.perf_counter() - started:.1f} s")

        largest = sizes[-1]
        project, csv_path = projects[largest]
        floor, ours = [], []
        peers = {name: [] for name in PEERS if importlib.util.find_spec(name)}
        for _ in range(args.runs):  # alternate, so all see the same conditions
            floor.append(_run_child("pyarrow", csv_path, args.code))
            ours.append(_run_child("stats", project, args.code))
            for name, runs in peers.items():
                runs.append(_run_child(name, project, args.code))
        growth = {largest: ours}
        for n in sizes[:-1]:
            growth[n] = [_run_child("stats", projects[n][0], args.code) for _ in range(max(1, args.runs))]

    _report(args, sizes, csv_sizes[largest], floor, ours, growth, peers)


def _report(args, sizes: list[int], csv_bytes: int, floor: list[dict], ours: list[dict], growth: dict,
            peers: dict[str, list[dict]]) -> None:
    """Print the measurements and the three ratios."""
    largest = sizes[-1]
    best_floor = min(floor, key=lambda r: r["seconds"])
    best = min(ours, key=lambda r: r["seconds"])
    print(f"\ncode measured: {best['code']}")
    print(f"\n{largest:,} respondents x {args.questions} questions x {args.segments} segments "
          f"({'unweighted' if args.unweighted else 'weighted'}), CSV {_mb(csv_bytes)}; best of {args.runs} runs "
          "(median; CPU seconds)\n")
    rows = [("pyarrow.csv.read_csv (floor)", floor, best_floor), ("our statistics step", ours, best)]
    rows += [(f"{name} (peer: the same weighted counts)", runs, min(runs, key=lambda r: r["seconds"]))
             for name, runs in peers.items()]
    for name, runs, chosen in rows:
        median = statistics.median(r["seconds"] for r in runs)
        print(f"  {name:<34} {chosen['seconds']:6.2f} s  ({median:.2f} s; {chosen['cpu']:.2f} CPU s)")
    for stage, seconds in best["stages"].items():
        print(f"    {stage:<32} {seconds:6.2f} s")
    added = min(r["added_bytes"] for r in ours)
    print(f"\n  peak memory the statistics step added: {_mb(added)} (whole process {_mb(best['peak_bytes'])}); "
          f"pyarrow reading alone added {_mb(min(r['added_bytes'] for r in floor))}")

    print(f"\n  {'respondents':>12} {'seconds':>8} {'per respondent':>15} {'per extra respondent':>21}")
    times = {n: min(r["seconds"] for r in growth[n]) for n in sizes}
    extra = {}
    for before, n in zip([None, *sizes], sizes, strict=False):
        if before is not None:
            extra[n] = (times[n] - times[before]) / (n - before)
        shown = f"{extra[n] * 1e6:10.2f} us" if n in extra else ""
        print(f"  {n:>12,} {times[n]:8.2f} {times[n] / n * 1e6:12.2f} us {shown:>21}")
    if len(sizes) > 1:  # fixed work (per question and breakdown, whatever the size) plus work per respondent
        per = extra[largest]
        print(f"  fit through the two largest: {times[largest] - per * largest:.2f} s + {per * 1e6:.2f} us per "
              "respondent")

    time_ratio = best["seconds"] / best_floor["seconds"]
    memory_ratio = added / csv_bytes
    growth_ratio = extra[sizes[2]] / extra[sizes[1]] if len(sizes) > 2 and extra[sizes[1]] > 0 else None
    print("\nratios against the floors measured in this run:")
    print(f"  statistics time / pyarrow read time       {time_ratio:5.2f}x  (target at most {TARGET_TIME:g}x): "
          f"{'met' if time_ratio <= TARGET_TIME else 'NOT met'}")
    print(f"  peak memory / CSV size on disk            {memory_ratio:5.2f}x  (target at most {TARGET_MEMORY:g}x): "
          f"{'met' if memory_ratio <= TARGET_MEMORY else 'NOT met'}")
    if growth_ratio is not None:
        print(f"  time per extra respondent, {sizes[1]:,}->{sizes[2]:,} / {sizes[0]:,}->{sizes[1]:,}   "
              f"{growth_ratio:5.2f}x  (1x is linear)")
    print(f"  {largest // sizes[0]}x the respondents took {times[largest] / times[sizes[0]]:.1f}x the time")
    for name, runs in peers.items():  # issue 13: faster than what a data engineer would write instead
        peer = min(r["seconds"] for r in runs)
        print(f"  statistics time / {name} counting time     {best['seconds'] / peer:5.2f}x  (target under 1x): "
              f"{'met' if best['seconds'] < peer else 'NOT met'}")


if __name__ == "__main__":
    main()
