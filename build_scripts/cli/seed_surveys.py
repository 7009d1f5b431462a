"""Generate the shipped synthetic survey responses, deterministically, to reproduce the 2015 figures.

Run `python -m build_scripts.cli.seed_surveys` to rewrite surveys/*/responses.csv. The codebooks are
hand-written; this script reads their labels, so the two never disagree. The same seed always
writes the same bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from build_scripts.ingest.codebook import Codebook, load_codebook
from build_scripts.statistics.weighting import rake

SEED = 2015

# The campaign's published 2015 figures that the synthetic data must reproduce.
PROFESSIONAL_TARGETS = {  # share of those asked
    ("powerless", "yes"): 0.410,  # "more than 40 per cent"
    ("time_resources", "lack"): 0.318,  # "nearly a third"
    ("funding_impact", "more_difficult"): 0.334,  # "one in three"
    ("neglect_trend", "risen"): 0.292,  # "nearly 30 per cent", all professionals
}
PUBLIC_EARLY_HELP = 0.570  # "57 per cent", weighted

# UK adult population shares used as weighting targets (ONS mid-2014, rounded).
AGE_TARGETS = {"18-24": 0.115, "25-34": 0.168, "35-44": 0.165, "45-54": 0.178, "55-64": 0.148, "65-plus": 0.226}
SEX_TARGETS = {"female": 0.51, "male": 0.49}
NATION_TARGETS = {"england": 0.842, "scotland": 0.084, "wales": 0.048, "northern_ireland": 0.026}


def _labels(options) -> dict[str, str]:
    return {o.key: o.export_value for o in options}


def _draw(rng, options: dict[str, str], shares: dict[str, float], size: int) -> np.ndarray:
    keys = list(shares)
    picks = rng.choice(len(keys), size=size, p=np.array([shares[k] for k in keys]))
    return np.array([options[keys[i]] for i in picks], dtype=object)


def _assign_exact(rng, pool: np.ndarray, share: float, propensity: np.ndarray) -> np.ndarray:
    """Pick round(share * len(pool)) members of pool, favouring those with higher propensity."""
    count = round(share * len(pool))
    return rng.choice(pool, size=count, replace=False, p=propensity / propensity.sum())


def professionals(book: Codebook, rng) -> pd.DataFrame:
    """Responses of professionals who work with children; routed questions for social workers only."""
    n = 1642
    seg = {s.key: s for s in book.segments}
    frame = pd.DataFrame({
        book.id_column: [f"P{i:05d}" for i in range(1, n + 1)],
        seg["role"].column: _draw(rng, _labels(seg["role"].options),
                                  {"social_worker": .40, "teacher": .24, "health": .18, "police": .07, "other": .11}, n),
        seg["nation"].column: _draw(rng, _labels(seg["nation"].options), NATION_TARGETS, n),
        seg["years_in_post"].column: _draw(rng, _labels(seg["years_in_post"].options),
                                           {"under_2": .18, "2_to_5": .31, "6_to_10": .24, "over_10": .27}, n),
    })
    years = frame[seg["years_in_post"].column].map({v: i for i, v in enumerate(_labels(seg["years_in_post"].options).values())})
    experience = 1.0 + 0.15 * years.to_numpy()
    social_worker = np.flatnonzero(frame[seg["role"].column] == _labels(seg["role"].options)["social_worker"])
    everyone = np.arange(n)
    rest_shares = {  # how the answers other than the target one divide
        "powerless": {"no": 0.9, "dont_know": 0.1},
        "time_resources": {"have": 0.88, "dont_know": 0.12},
        "funding_impact": {"no_difference": 0.72, "easier": 0.06, "dont_know": 0.22},
        "neglect_trend": {"same": 0.63, "fallen": 0.12, "dont_know": 0.25},
    }
    for q in book.questions:
        target = next(opt for (qk, opt) in PROFESSIONAL_TARGETS if qk == q.key)
        pool = social_worker if q.asked else everyone
        labels = _labels(q.options)
        answers = np.full(n, "", dtype=object)
        chosen = _assign_exact(rng, pool, PROFESSIONAL_TARGETS[(q.key, target)], experience[pool])
        others = np.setdiff1d(pool, chosen)
        answers[others] = _draw(rng, labels, rest_shares[q.key], len(others))
        answers[chosen] = labels[target]
        frame[q.column] = answers
    return frame


def public(book: Codebook, rng) -> pd.DataFrame:
    """Responses of UK adults, weighted by raking to age band, sex and nation."""
    n = 2064
    seg = {s.key: s for s in book.segments}
    ages = list(_labels(seg["age_band"].options))
    # The online sample over-represents middle age and women, as panels often do; weights correct it.
    frame = pd.DataFrame({
        book.id_column: [f"G{i:05d}" for i in range(1, n + 1)],
        "age_key": rng.choice(ages, size=n, p=[.08, .15, .19, .22, .19, .17]),
        "sex_key": rng.choice(["female", "male"], size=n, p=[.55, .45]),
        "nation_key": rng.choice(list(NATION_TARGETS), size=n, p=[.80, .10, .06, .04]),
    })
    parent_chance = frame["age_key"].map({"18-24": .12, "25-34": .45, "35-44": .62, "45-54": .38, "55-64": .08, "65-plus": .02})
    frame["parent_key"] = np.where(rng.random(n) < parent_chance, "yes", "no")
    groups = frame[["age_key", "sex_key", "nation_key"]]
    weights = rake(groups, {"age_key": AGE_TARGETS, "sex_key": SEX_TARGETS, "nation_key": NATION_TARGETS},
                   cap=5).to_numpy()

    q = book.questions[0]
    labels = _labels(q.options)
    dont_know = rng.random(n) < 0.05
    early = ~dont_know & (rng.random(n) < 0.55 + 0.06 * (frame["parent_key"] == "yes"))
    early = _hit_weighted_share(rng, early, ~dont_know, weights, PUBLIC_EARLY_HELP)
    others = ["social_care", "schools", "health", "police", "charities"]
    appeal = np.array([.30, .27, .24, .12, .07])
    cells = []
    for i in range(n):
        if dont_know[i]:
            cells.append(labels["dont_know"])
            continue
        picks = ["early_help"] if early[i] else []
        extra = rng.integers(1, 3 if picks else 4)  # up to three answers in all
        picks += list(rng.choice(others, size=extra, replace=False, p=appeal))
        order = [o.key for o in q.options]
        cells.append(f"{q.separator} ".join(labels[k] for k in sorted(picks, key=order.index)))
    return pd.DataFrame({
        book.id_column: frame[book.id_column],
        seg["age_band"].column: frame["age_key"].map(_labels(seg["age_band"].options)),
        seg["sex"].column: frame["sex_key"].map(_labels(seg["sex"].options)),
        seg["nation"].column: frame["nation_key"].map(_labels(seg["nation"].options)),
        seg["parent"].column: frame["parent_key"].map(_labels(seg["parent"].options)),
        q.column: cells,
        book.weighting.column: [f"{w:.4f}" for w in weights],
    })


def _hit_weighted_share(rng, chosen: np.ndarray, eligible: np.ndarray, weights: np.ndarray, share: float) -> np.ndarray:
    """Flip respondents in or out until the weighted share is within 0.1 points of the target."""
    chosen = chosen.copy()
    order = rng.permutation(len(chosen))
    for i in order:
        current = weights[chosen].sum() / weights.sum()
        if abs(current - share) < 0.001:
            break
        if current < share and eligible[i] and not chosen[i]:
            chosen[i] = True
        elif current > share and chosen[i]:
            chosen[i] = False
    return chosen


GENERATORS = {"professionals-2015": professionals, "public-2015": public}


def generate(surveys_dir: Path) -> list[Path]:
    """Write every shipped survey's responses.csv and return the paths written."""
    written = []
    for survey_id, make in GENERATORS.items():
        path = surveys_dir / survey_id / "survey.yml"
        book, problems = load_codebook(path, str(path))
        if book is None:
            raise SystemExit("\n".join(p.describe() for p in problems))
        frame = make(book, np.random.default_rng(SEED))
        out = path.parent / book.responses
        out.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        written.append(out)
    return written


def main() -> None:
    """Command-line entry: regenerate the shipped synthetic responses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=Path, default=Path("surveys"), help="the surveys folder (default: surveys)")
    args = parser.parse_args()
    for path in generate(args.surveys):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
