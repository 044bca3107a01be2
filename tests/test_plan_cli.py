"""`lifecircle solve …` on files: JSON out, clear errors on bad input."""

import json

from typer.testing import CliRunner

from datafiles import shared_data
from lifecircle.cli import app

runner = CliRunner()


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_solve_orlib_prints_published_optimum():
    result = runner.invoke(app, ["solve", "orlib", str(shared_data("orlib-pmed", "pmed2.txt"))])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["objective"], out["status"], len(out["sites"])) == (4093, "optimal", 10)
    assert min(out["sites"]) >= 1


def test_solve_models_on_cost_table(tmp_path):
    costs = _write(tmp_path, "c.csv", "demand,site,cost\na,s1,1\na,s2,5\nb,s2,2\nc,s1,3\nc,s3,9\n")
    demand = _write(tmp_path, "d.csv", "id,weight\na,10\nb,20\nc,30\n")
    expect = {
        ("mclp", "--p", "1", "--radius", "3"): (40, ["s1"]),
        ("lscp", "--radius", "3"): (2, ["s1", "s2"]),
        ("pmedian", "--p", "2"): (10 * 1 + 20 * 2 + 30 * 3, ["s1", "s2"]),
        ("pcenter", "--p", "2"): (3, ["s1", "s2"]),
    }
    for args, (objective, sites) in expect.items():
        result = runner.invoke(app, ["solve", *args, "--costs", costs, "--demand", demand])
        assert result.exit_code == 0, (args, result.output)
        out = json.loads(result.stdout)
        assert (out["objective"], out["sites"], out["status"]) == (objective, sites, "optimal")


def test_solve_bad_input_names_file_row_field(tmp_path):
    costs = _write(tmp_path, "c.csv", "demand,site,cost\na,s1,1\nb,s1,oops\n")
    demand = _write(tmp_path, "d.csv", "id,weight\na,1\nb,1\n")
    cases = [
        (["pmedian", "--p", "1", "--costs", costs, "--demand", demand], ["c.csv", "row 3", "cost"]),
        (["pmedian", "--p", "1", "--costs", _write(tmp_path, "e.csv", "demand,site\na,s1\n")],
         ["e.csv", "missing column 'cost'"]),
        (["pmedian", "--p", "1", "--costs", _write(tmp_path, "u.csv", "demand,site,cost\nzz,s1,1\n"),
          "--demand", demand], ["u.csv", "row 2", "zz"]),
        (["pmedian", "--p", "3", "--costs", _write(tmp_path, "g.csv", "demand,site,cost\na,s1,1\n")],
         ["p=3"]),
        (["mclp", "--p", "1", "--costs", costs], ["--radius"]),
        (["lscp", "--radius", "1", "--costs", str(tmp_path / "missing.csv")], ["missing.csv"]),
    ]  # fmt: skip
    for args, words in cases:
        result = runner.invoke(app, ["solve", *args])
        assert result.exit_code == 2, (args, result.output)
        for word in words:
            assert word in result.stderr, (word, result.stderr)
