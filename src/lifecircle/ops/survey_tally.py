"""Survey results: counts and shares with 95% Wilson intervals, unweighted and post-stratified
by age group, overall, by age group and by compound; the most-wanted services; priorities per
category for the plan. Pure pandas on a `Form` and an answers frame (`survey_form.read_answers`),
no database: usable from a notebook.

Post-stratification: a respondent of age group g weighs (N_g / N) / (n_g / n), N from the
population figures, n from the respondents with an age group. Weighted intervals use Wilson's
formula on Kish's effective sample size (Σw)² / Σw².
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lifecircle.data.categories import CategoryMapper
from lifecircle.ops.survey_form import TOP_RANKS, Form, Question, SurveyError
from lifecircle.standards import load_standard

Z95 = 1.959963984540054
RESULT_COLUMNS = [
    "group_by",
    "group",
    "question",
    "option",
    "count",
    "share",
    "share_low",
    "share_high",
    "weighted_share",
    "weighted_low",
    "weighted_high",
    "answered",
    "label",
    "mean",
]


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a share (n may be an effective, non-integer size).

    Example
    -------
    >>> [round(x, 4) for x in wilson(8, 10)]
    [0.4902, 0.9433]
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class Tally:
    """The results table (RESULT_COLUMNS) and the warnings a planner must read."""

    results: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def read_population(path, age_choices: list[str]) -> pd.DataFrame:
    """Population per compound and age group from a CSV/XLSX: `compound_id` (or `id`) and one
    column per age-group choice name. One missing group may be the rest of `population`.

    Example
    -------
    >>> read_population("compounds.csv", ["under_60", "pop_60_plus"])  # doctest: +SKIP
    """
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise SurveyError("人口文件不存在 population file not found", path)
    table = (
        pd.read_excel(path)
        if path.suffix.lower() == ".xlsx"
        else pd.read_csv(path, encoding="utf-8-sig")
    )
    key = "compound_id" if "compound_id" in table else "id" if "id" in table else None
    if key is None:
        raise SurveyError("缺少 compound_id 列 needs a compound_id (or id) column", path, 1)
    missing = [c for c in age_choices if c not in table]
    if len(missing) == 1 and "population" in table:
        rest = table["population"] - table[[c for c in age_choices if c in table]].sum(axis=1)
        table[missing[0]] = rest
    elif missing:
        raise SurveyError(
            f"缺少年龄组人口列 population columns missing for age groups: {', '.join(missing)}",
            path,
            1,
        )
    out = table[[key, *age_choices]].rename(columns={key: "compound_id"})
    out["compound_id"] = out["compound_id"].astype(str)
    for number, row in enumerate(out.to_dict("records"), start=2):
        for c in age_choices:
            if not (pd.notna(row[c]) and float(row[c]) >= 0):
                raise SurveyError(
                    f"人口应为非负数 population must be ≥ 0: {row[c]!r}", path, number, c
                )
    return out


def poststrat_weights(
    ages: pd.Series, population: pd.Series, warnings: list[str] | None = None
) -> pd.Series:
    """Weights (N_g/N)/(n_g/n) per respondent; respondents without an age group weigh 1.

    `ages` is each respondent's age-group choice name ('' when unanswered); `population` maps
    age-group name → head count.
    """
    warnings = warnings if warnings is not None else []
    known = ages[ages != ""]
    total_pop = float(population.sum())
    weights = pd.Series(1.0, index=ages.index)
    if known.empty or total_pop <= 0:
        warnings.append(
            "无年龄组或人口数据，只给出未加权结果 no age groups or population: unweighted only"
        )
        return weights
    n = len(known)
    for group, pop in population.items():
        n_g = int((known == group).sum())
        if n_g == 0:
            if pop > 0:
                warnings.append(
                    f"年龄组 {group} 无人作答，加权无法代表该组 no respondent in age group {group}"
                )
            continue
        weights[ages == group] = (pop / total_pop) / (n_g / n)
    unknown = set(known) - set(population.index)
    if unknown:
        warnings.append(
            f"年龄组无人口数据，按 1 加权 age groups without population: {sorted(unknown)}"
        )
    if (ages == "").any():
        warnings.append(
            f"{int((ages == '').sum())} 份答卷缺年龄组，按 1 加权 answers without an age group weigh 1"
        )
    return weights


def _question_rows(q: Question, values: pd.Series, weights: pd.Series) -> list[dict]:
    answered = values != ""
    n = int(answered.sum())
    w = weights[answered]
    n_eff = float(w.sum() ** 2 / (w**2).sum()) if n else 0.0
    base = {"question": q.name, "answered": n}
    rows = []

    def option_row(option: str, label: str, hit: pd.Series) -> dict:
        k = int(hit[answered].sum())
        share = k / n if n else math.nan
        wshare = float(w[hit[answered]].sum() / w.sum()) if n else math.nan
        low, high = wilson(k, n)
        wlow, whigh = wilson(wshare * n_eff, n_eff) if n else (math.nan, math.nan)
        return {
            **base,
            "option": option,
            "label": label,
            "count": k,
            "share": share,
            "share_low": low,
            "share_high": high,
            "weighted_share": wshare,
            "weighted_low": wlow,
            "weighted_high": whigh,
            "mean": math.nan,
        }

    if q.type in ("select_one", "select_multiple", "rank"):
        picks = values.str.split()
        if q.type == "rank":
            picks = picks.map(lambda p: p[:TOP_RANKS])
        for c in q.choices:
            rows.append(option_row(c.name, c.label, picks.map(lambda p, c=c.name: c in p)))
    elif q.type == "range":
        low, high = q.rating_range()
        for value in range(low, high + 1):
            rows.append(option_row(str(value), str(value), values == str(value)))
        numbers = pd.to_numeric(values[answered])
        mean = float(numbers.mean()) if n else math.nan
        for r in rows:
            r["mean"] = mean
    elif q.type in ("integer", "decimal"):
        numbers = pd.to_numeric(values[answered])
        rows.append(
            {
                **base,
                "option": "",
                "label": "",
                "count": n,
                "mean": float(numbers.mean()) if n else math.nan,
            }
        )
    else:  # text
        rows.append({**base, "option": "", "label": "", "count": n})
    return rows


def tally(
    form: Form,
    answers: pd.DataFrame,
    population: pd.DataFrame | None = None,
    age_question: str = "age_group",
    compound_column: str = "compound_id",
) -> Tally:
    """Counts and shares per question and option, overall, by age group and by compound.

    `share` is of the respondents who answered the question (for a multiple choice or a
    ranking, the share who picked the option, so shares can sum past 100%; a ranking counts
    the top 3). With `population` (`read_population`), weighted shares are post-stratified by
    age group: overall with the summed figures, per compound with that compound's.

    Example
    -------
    >>> result = tally(form, answers, read_population("compounds.csv", ages))  # doctest: +SKIP
    >>> result.results.query("group_by == 'all'")  # doctest: +SKIP
    """
    warnings: list[str] = []
    has_age = any(q.name == age_question for q in form.questions)
    ages = answers[age_question] if has_age else pd.Series("", index=answers.index)
    compounds = (
        answers[compound_column].astype(str)
        if compound_column in answers
        else pd.Series("", index=answers.index)
    )
    age_groups = form.question(age_question).choice_names() if has_age else []
    if population is not None and not has_age:
        warnings.append(
            f"问卷没有年龄题 {age_question}，不加权 the form has no {age_question}: unweighted"
        )

    def weights_for(subset: pd.Index, pop: pd.Series | None) -> pd.Series:
        if pop is None:
            return pd.Series(1.0, index=subset)
        return poststrat_weights(ages[subset], pop, warnings)

    overall_pop = population[age_groups].sum() if population is not None and has_age else None
    parts = [("all", "", answers.index, overall_pop)]
    for g in age_groups:
        parts.append(("age_group", g, answers.index[ages == g], None))
    for c in sorted(set(compounds) - {""}):
        pop = None
        if population is not None and has_age:
            match = population[population["compound_id"] == c]
            if match.empty:
                warnings.append(
                    f"小区 {c} 无人口数据，按未加权 compound {c} has no population figures"
                )
            else:
                pop = match[age_groups].iloc[0]
        parts.append(("compound", c, answers.index[compounds == c], pop))
    rows = []
    for group_by, group, index, pop in parts:
        weights = weights_for(index, pop)
        for q in form.answerable():
            for row in _question_rows(q, answers.loc[index, q.name].astype(str), weights):
                rows.append({"group_by": group_by, "group": group, **row})
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    if population is None:
        results[["weighted_share", "weighted_low", "weighted_high"]] = np.nan
    return Tally(results, list(dict.fromkeys(warnings)))


def most_wanted(results: pd.DataFrame, question: str) -> pd.DataFrame:
    """呼声最高: the options of one question, most-wanted first (weighted share when there is
    one), from the overall rows of a `tally` table."""
    rows = results[(results["group_by"] == "all") & (results["question"] == question)].copy()
    key = "weighted_share" if rows["weighted_share"].notna().any() else "share"
    rows = rows.sort_values([key, "count"], ascending=False)
    rows.insert(0, "rank", range(1, len(rows) + 1))
    return rows


def search_text(answers: pd.DataFrame, form: Form, words: str) -> pd.DataFrame:
    """Open-text answers containing every word of `words` (case-insensitive): question, answer."""
    rows = []
    terms = [w.lower() for w in words.split()]
    for q in form.answerable():
        if q.type != "text":
            continue
        for text in answers[q.name].astype(str):
            if text and all(t in text.lower() for t in terms):
                rows.append({"question": q.name, "label": q.label, "answer": text})
    return pd.DataFrame(rows, columns=["question", "label", "answer"])


def category_weights(
    form: Form,
    answers: pd.DataFrame,
    question: str,
    mapping: dict[str, str] | None = None,
    population: pd.DataFrame | None = None,
    age_question: str = "age_group",
    compound_column: str = "compound_id",
    standard: str = "gb50180-2018",
) -> tuple[pd.DataFrame, list[str]]:
    """Priorities per standard category from a choice or ranking question about services.

    Each option maps to a category of the standard (by its name or label, through
    `lifecircle.data.categories`, `mapping` first); options without a category, or whose
    category is not a hub function the plan can place, are left out and named in the warnings. A category's score is its weighted share
    (choice) or its mean Borda points over the top 3 (ranking: 3, 2, 1); the weight is the
    score over the mean score of the categories asked about, so 1.0 is average demand and 2.0
    twice the average. Categories not asked about are absent (the plan keeps them at 1).
    With a compound column, one set of rows per compound (`compound_id`).

    Returns (DataFrame with `category, weight` [, `compound_id`], warnings).

    Example
    -------
    >>> weights, notes = category_weights(form, answers, "services")  # doctest: +SKIP
    """
    q = form.question(question)
    if q.type not in ("select_one", "select_multiple", "rank"):
        raise SurveyError(
            "只能用选择题或排序题 needs a choice or ranking question", question=question
        )
    rules = load_standard(standard)
    mapper = CategoryMapper(rules, mapping)
    warnings: list[str] = []
    option_category = {}
    for c in q.choices:
        code = mapper.code(c.name) or mapper.code(c.label)
        if code is None:
            warnings.append(
                f"选项 {c.name}（{c.label}）对应不到规划类别，未计入 option has no category: dropped"
            )
        elif not rules.categories[code].hub_function:
            warnings.append(
                f"选项 {c.name}（{c.label}）→ {code} 不是驿站功能，未计入 "
                "not a hub function the plan can place: dropped"
            )
        else:
            option_category[c.name] = code

    has_age = any(x.name == age_question for x in form.questions)
    ages = answers[age_question] if has_age else pd.Series("", index=answers.index)
    age_groups = form.question(age_question).choice_names() if has_age else []

    def scores(index: pd.Index, pop: pd.Series | None) -> pd.Series:
        values = answers.loc[index, question].astype(str)
        answered = values != ""
        weights = (
            poststrat_weights(ages[index], pop, warnings)
            if pop is not None
            else pd.Series(1.0, index=index)
        )[answered]
        picks = values[answered].str.split()
        total: dict[str, float] = {}
        for name, code in option_category.items():
            if q.type == "rank":
                points = picks.map(
                    lambda p, n=name: TOP_RANKS - p.index(n) if n in p[:TOP_RANKS] else 0
                )
            else:
                points = picks.map(lambda p, n=name: 1.0 if n in p else 0.0)
            value = float((points * weights).sum() / weights.sum()) if len(weights) else 0.0
            total[code] = total.get(code, 0.0) + value
        series = pd.Series(total, dtype=float)
        mean = series.mean()
        return series / mean if mean > 0 else series * np.nan

    overall_pop = population[age_groups].sum() if population is not None and has_age else None
    if compound_column in answers and (answers[compound_column].astype(str) != "").any():
        frames = []
        compounds = answers[compound_column].astype(str)
        for c in sorted(set(compounds) - {""}):
            index = answers.index[compounds == c]
            pop = None
            if population is not None and has_age and (population["compound_id"] == c).any():
                pop = population[population["compound_id"] == c][age_groups].iloc[0]
            if len(index) < 10:
                warnings.append(
                    f"小区 {c} 只有 {len(index)} 份答卷，权重不稳 only {len(index)} answers in compound {c}"
                )
            s = scores(index, pop)
            frames.append(pd.DataFrame({"compound_id": c, "category": s.index, "weight": s.values}))
        out = pd.concat(frames, ignore_index=True)[["compound_id", "category", "weight"]]
    else:
        s = scores(answers.index, overall_pop)
        out = pd.DataFrame({"category": s.index, "weight": s.values})
    return out.dropna(subset=["weight"]).reset_index(drop=True), list(dict.fromkeys(warnings))
