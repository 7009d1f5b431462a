"""Whether two waves of a series ask the same question of the same people, so that their figures compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from build_scripts.errors import Problem
from build_scripts.ingest.codebook import Codebook, Question


@dataclass
class WaveComparison:
    """What a series' waves break: problems that stop the build, warnings that only withhold change rows."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def question_difference(before: Question, after: Question, earlier: Codebook) -> tuple[str, str] | None:
    """Why one question's figures in two waves do not compare (what differs, and the fix), or None if they do."""
    if before.type != after.type:
        return (f"is a {before.type} question in {earlier.id} but a {after.type} question here",
                "if respondents saw a different kind of question, give it a new key: its figures cannot be compared")
    old, new = [o.key for o in before.options], [o.key for o in after.options]
    if set(old) != set(new):
        gone, added = [k for k in old if k not in new], [k for k in new if k not in old]
        words = "; ".join(part for part in [f"only in {earlier.id}: {', '.join(gone)}" if gone else "",
                                            f"only here: {', '.join(added)}" if added else ""] if part)
        return (f"has different options from {earlier.id} ({words})",
                f"if these are the same answers, give them the keys they had in {earlier.id}; if the answers "
                "offered changed, the shares cannot be compared: give the question a new key")
    nets_before, nets_after = _nets(before), _nets(after)
    if changed := sorted(k for k in nets_before.keys() & nets_after.keys() if nets_before[k] != nets_after[k]):
        return (f"adds up different answers in net(s) {', '.join(changed)} than {earlier.id} did",
                f"if the net means the same, give it the options it had in {earlier.id}; otherwise give the net "
                "a new key")
    if _who(before) != _who(after) or before.base != after.base:
        return (f"is based on {_base_words(after)} here but on {_base_words(before)} in {earlier.id}",
                f"if the same people were asked, make it match {earlier.id}: {_routing_yaml(before)}; "
                "otherwise give the question a new key: figures on different bases cannot be compared")
    return None


def compare_waves(waves_in_series: dict[str, list]) -> WaveComparison:
    """Problems and warnings for each pair of consecutive waves (each with a `codebook`), oldest first."""
    result = WaveComparison()
    for series, waves in waves_in_series.items():
        for previous, current in pairwise(waves):
            before, after = previous.codebook, current.codebook
            where = f"surveys/{after.id}/survey.yml"
            earlier = {q.key: q for q in before.questions}
            shared = [q for q in after.questions if q.key in earlier]
            if not shared:
                result.problems.append(Problem(
                    where, "questions", f"is a wave of the series {series!r} after {before.id}, but the two waves "
                    "share no question key, so no figure can be compared between them",
                    f"draft it again with the earlier wave's keys (`campaign-site new-survey EXPORT --id {after.id} "
                    f"--wave-of {before.id} --force`), or give it a series of its own with `series: {after.id}`"))
                continue
            for question in shared:
                difference = question_difference(earlier[question.key], question, before)
                if difference:
                    result.warnings.append(Problem(where, f"question {question.key!r}", f"{difference[0]}, so it "
                                                   "has no change rows", difference[1]))
            asked = {q.key for q in after.questions}
            if missing := [q.key for q in before.questions if q.key not in asked]:
                result.warnings.append(Problem(
                    where, "questions", f"does not ask {len(missing)} question(s) that {before.id} asked: "
                    f"{', '.join(missing)}; they have no change rows",
                    f"if one is here under another key, give it the key it had in {before.id}"))
    return result


def _nets(question: Question) -> dict[str, frozenset[str]]:
    return {net.key: frozenset(net.options) for net in question.nets}


def _who(question: Question) -> tuple | None:
    asked = question.asked
    return None if asked is None else (asked.segment, frozenset(asked.values))


def _base_words(question: Question) -> str:
    who = f"those asked ({question.asked.description})" if question.asked else "everyone"
    return who + (", leaving out those who did not give an answer" if question.base == "answering" else "")


def _routing_yaml(question: Question) -> str:
    asked = question.asked
    routing = (f"`asked: {{segment: {asked.segment}, values: [{', '.join(asked.values)}], "
               f"description: {asked.description}}}`") if asked else "no `asked:`"
    return routing + (f" and `base: {question.base}`" if question.base != "asked" else "")
