"""`lifecircle survey tally|weights` and `lifecircle ops demand`: residents' voice into numbers
the plan can use. Thin faces over `lifecircle.ops.survey_tally` and `lifecircle.ops.demand`."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lifecircle.cli import app
from lifecircle.cli.common import fail, print_warnings

survey_app = typer.Typer(
    help="问卷：统计与规划权重 Surveys: tallies and plan weights", no_args_is_help=True
)
ops_app = typer.Typer(help="运营数据 Operations data for the plan", no_args_is_help=True)
app.add_typer(survey_app, name="survey")
app.add_typer(ops_app, name="ops")

FormOpt = Annotated[Path, typer.Option("--form", help="XLSForm 问卷 questionnaire (.xlsx)")]
AnswersOpt = Annotated[
    Path, typer.Option("--answers", help="答卷 answers: 问卷星或XLSForm导出 export (.xlsx/.csv)")
]
PopulationOpt = Annotated[
    Path | None,
    typer.Option(
        "--population", help="各小区各年龄组人口 population per compound and age group (.csv/.xlsx)"
    ),
]
AgeOpt = Annotated[
    str, typer.Option("--age-question", help="年龄组题目 name of the age-group question")
]


def _load(
    console: Console, form_path: Path, answers_path: Path, population_path: Path | None, age: str
):
    from lifecircle.ops.survey_form import SurveyError, read_answers, read_xlsform
    from lifecircle.ops.survey_tally import read_population

    try:
        form = read_xlsform(form_path)
        answers = read_answers(form, answers_path)
        population = None
        if population_path is not None:
            ages = form.question(age).choice_names()
            population = read_population(population_path, ages)
    except SurveyError as exc:
        fail(console, str(exc))
    return form, answers, population


@survey_app.command("tally")
def tally_command(
    form: FormOpt,
    answers: AnswersOpt,
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")],
    population: PopulationOpt = None,
    age_question: AgeOpt = "age_group",
) -> None:
    """每题每项的人数、比例、95%区间（及按年龄加权）Counts, shares, 95% intervals (and weighted) per question."""
    from lifecircle.ops.survey_tally import tally

    console = Console()
    survey, frame, pop = _load(console, form, answers, population, age_question)
    result = tally(survey, frame, pop, age_question=age_question)
    out.mkdir(parents=True, exist_ok=True)
    table = result.results
    overall = table[table["group_by"] == "all"].drop(columns=["group_by", "group"])
    overall.to_csv(out / "results.csv", index=False, encoding="utf-8")
    table.to_csv(out / "results_by_group.csv", index=False, encoding="utf-8")
    print_warnings(console, result.warnings)
    console.print(
        f"{len(frame)} 份答卷 answers → {out / 'results.csv'}, {out / 'results_by_group.csv'}"
    )


@survey_app.command("weights")
def weights_command(
    form: FormOpt,
    answers: AnswersOpt,
    question: Annotated[
        str, typer.Option("--question", help="关于服务的选择题或排序题 the services question")
    ],
    out: Annotated[Path, typer.Option("--out", help="weights.csv")],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="选项→类别映射 option → category mapping (TOML/CSV)"),
    ] = None,
    population: PopulationOpt = None,
    age_question: AgeOpt = "age_group",
) -> None:
    """把服务需求题变成规划类别权重 Turn a services question into plan weights per category."""
    from lifecircle.data.categories import read_mapping
    from lifecircle.data.report import DataFileError
    from lifecircle.ops.survey_form import SurveyError
    from lifecircle.ops.survey_tally import category_weights

    console = Console()
    survey, frame, pop = _load(console, form, answers, population, age_question)
    try:
        user_mapping = read_mapping(mapping) if mapping else None
        weights, warnings = category_weights(
            survey, frame, question, user_mapping, pop, age_question
        )
    except (SurveyError, DataFileError) as exc:
        fail(console, str(exc))
    print_warnings(console, warnings)
    out.parent.mkdir(parents=True, exist_ok=True)
    weights.round(4).to_csv(out, index=False, encoding="utf-8")
    console.print(f"{len(weights)} 行 rows → {out}", highlight=False, soft_wrap=True)


@ops_app.command("demand")
def demand_command(
    db: Annotated[str, typer.Option("--db", help="运营数据库 SQLite 文件 operations database")],
    since: Annotated[str, typer.Option("--since", help="起始日期 from date, YYYY-MM-DD")],
    out: Annotated[Path, typer.Option("--out", help="demand.csv")],
    compounds: Annotated[
        Path | None,
        typer.Option(
            "--compounds", help="小区文件 compounds file (默认示意街道 default: the demo)"
        ),
    ] = None,
    max_distance: Annotated[
        float, typer.Option("--max-distance", help="归属最近小区的最远距离 m")
    ] = 1000.0,
) -> None:
    """每个小区每类诉求每千人数 Requests per compound and category per 1,000 residents."""
    from lifecircle.ops.demand import demand_rates, request_categories, requests_table
    from lifecircle.web import server

    console = Console()
    try:
        start = date.fromisoformat(since)
    except ValueError:
        fail(console, f"--since: 日期应为 YYYY-MM-DD a date is YYYY-MM-DD, got {since!r}")
    if not Path(db).is_file():
        fail(console, f"--db: 数据库文件不存在 no database file {db}")
    if compounds is None:
        from lifecircle.data.demo import build_demo_area

        table = build_demo_area().compounds
    else:
        from lifecircle.data.importer import import_file

        imported = import_file(compounds, "compounds")
        print_warnings(console, [str(issue) for issue in imported.issues])
        table = imported.table
    server.setup(db)
    rates, warnings = demand_rates(requests_table(start), table, max_distance, request_categories())
    print_warnings(console, warnings)
    out.parent.mkdir(parents=True, exist_ok=True)
    rates.round({"per_1000": 3}).to_csv(out, index=False, encoding="utf-8")
    console.print(
        f"{int(rates['requests'].sum())} 条诉求 requests → {out}", highlight=False, soft_wrap=True
    )
