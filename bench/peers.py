"""What a data engineer would write instead of our statistics step: the same weighted counts, by Polars and DuckDB.

For every question (answers of a multi-choice question split on its separator) and for the whole sample
and each segment: the number of respondents giving each answer and the sum of their weights. No
validation, routing, bases, intervals or disclosure control: the peers' figures are a floor for the
counting alone. Both read the export as text, as we do, and make categories of the answer columns.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def _book(root: Path) -> tuple[dict, Path]:
    folder = next((root / "surveys").iterdir())
    return yaml.safe_load((folder / "survey.yml").read_text(encoding="utf-8")), folder / "responses.csv"


def peer_counts(engine: str, root: Path) -> int:
    """Count every question's answers, whole sample and per segment group, with one engine; the rows made."""
    book, csv_path = _book(root)
    weight = (book.get("weighting") or {}).get("column")
    segments = [s["column"] for s in book["segments"]]
    questions = [(q["column"], q.get("separator", ";") if q["type"] == "multi" else None)
                 for q in book["questions"] if q["type"] != "text"]
    return (_polars if engine == "polars" else _duckdb)(csv_path, weight, segments, questions)


def _polars(csv_path: Path, weight: str | None, segments: list[str], questions: list[tuple[str, str | None]]) -> int:
    import polars as pl

    categorical = segments + [column for column, separator in questions if separator is None]
    frame = pl.read_csv(csv_path, infer_schema=False).with_columns(
        *(pl.col(c).cast(pl.Categorical) for c in categorical),
        *([pl.col(weight).cast(pl.Float64)] if weight else []))
    lazy, queries = frame.lazy(), []
    for column, separator in questions:
        source = lazy if separator is None else lazy.with_columns(
            pl.col(column).str.split(f"{separator} ")).explode(column).filter(pl.col(column).is_not_null())
        for by in [None, *segments]:
            keys = [column] if by is None else [by, column]
            sums = [pl.len().alias("count")] + ([pl.col(weight).sum().alias("weighted")] if weight else [])
            queries.append(source.group_by(keys).agg(sums))
    return sum(len(result) for result in pl.collect_all(queries))


def _duckdb(csv_path: Path, weight: str | None, segments: list[str], questions: list[tuple[str, str | None]]) -> int:
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE responses AS SELECT * FROM read_csv('{csv_path}', all_varchar = true)")
    weighted = f', sum(CAST("{weight}" AS DOUBLE)) AS weighted' if weight else ""
    rows = 0
    for column, separator in questions:
        answer = f'"{column}"' if separator is None else f"unnest(string_split(\"{column}\", '{separator} '))"
        sets = ", ".join(["(answer)", *(f'("{segment}", answer)' for segment in segments)])
        chosen = ", ".join(f'"{segment}"' for segment in segments)
        carried = f'"{weight}", ' if weight else ""
        sql = (f"WITH answers AS (SELECT {chosen}, {carried}{answer} AS answer FROM responses) "
               f"SELECT {chosen}, answer, count(*) AS count{weighted} FROM answers GROUP BY GROUPING SETS ({sets})")
        rows += len(connection.execute(sql).fetchall())
    return rows
