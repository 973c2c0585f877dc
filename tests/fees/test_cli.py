"""``tingshen fees calc`` / ``tingshen fees kinds`` through typer's CliRunner (fees.cli), and
through the ``tingshen`` app that loads it by name (hearing_server.cli)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from fees import cli
from hearing_server import cli as tingshen_cli

runner = CliRunner()


def invoke(args: Sequence[str], env: dict[str, str] | None = None) -> Result:
    return runner.invoke(cli.app, list(args), env=env)


def calc_json(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = invoke(["calc", *args, "--json"], env)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def assert_clean_error(result: Result, *fragments: str) -> None:
    """Exit status 2, one line on stderr naming the problem, no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tingshen: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_json_breakdown_of_the_worked_example() -> None:
    # 1,234,567.89 yuan: 50 + 2,250 + 2,000 + 4,500 + 5,000 + 2,111.11 = 15,911.11
    data = calc_json("--kind", "property", "--amount", "1,234,567.89")
    assert data["total_fen"] == 1_591_111
    assert data["total_yuan"] == "15911.11"
    assert data["basis_fen"] == 123_456_789
    assert data["rounding"] == {"unit_fen": 1, "mode": "half_up"}
    schedule = data["schedule"]
    assert isinstance(schedule, dict)
    assert schedule["effective"] == "2007-04-01"
    lines = data["lines"]
    assert isinstance(lines, list)
    tiers = [line for line in lines if line["step"] == "tier"]
    assert [t["amount_fen"] for t in tiers] == [5_000, 225_000, 200_000, 450_000, 500_000, 211_111]
    assert tiers[1]["rate"] == "2.5%"
    assert tiers[-1]["exact_fen"] == "211111.101"
    assert tiers[-1]["article"] == "第十三条第（一）项第6目"
    assert (
        sum(line["amount_fen"] for line in lines if line["step"] not in ("subtotal", "total"))
        == (data["total_fen"])
    )


def test_simplified_procedure_and_appeal_options() -> None:
    data = calc_json("--kind", "property", "--amount", "12345", "--procedure", "simplified")
    assert data["total_fen"] == 5_432  # 108.63 halved, half up
    assert data["grounds"] == ["simplified"]
    data = calc_json(
        "--kind", "property", "--amount", "1000000", "--stage", "appeal", "--disputed", "300000"
    )
    assert (data["basis_fen"], data["total_fen"]) == (30_000_000, 580_000)
    data = calc_json("--kind", "property", "--amount", "200000", "--claim", "counterclaim",
                     "--outcome", "mediation")  # fmt: skip
    assert data["total_fen"] == 215_000  # halved once
    data = calc_json("--kind", "bankruptcy", "--amount", "200000000")
    assert data["total_fen"] == 30_000_000


def test_table_in_chinese_and_english() -> None:
    result = invoke(["calc", "--kind", "property", "--amount", "1234567.89"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for fragment in ("诉讼费用交纳办法", "2007-04-01", "超过 1,000,000 元至 2,000,000 元的部分",
                     "234,567.89 × 0.9%", "2,111.11", "第十三条第（一）项第6目", "应交纳",
                     "15,911.11"):  # fmt: skip
        assert fragment in out, fragment
    result = invoke(
        ["calc", "--kind", "property", "--amount", "12345", "--procedure", "simplified",
         "--lang", "en"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for fragment in ("over 10,000 up to 100,000 yuan", "2,345.00 × 2.5%", "Art. 13(1) item 2",
                     "simplified procedure: halved", "108.63 × 1/2", "Art. 16", "fee due",
                     "54.32"):  # fmt: skip
        assert fragment in result.stdout, fragment


def test_kinds_lists_every_kind() -> None:
    result = invoke(["kinds"])
    assert result.exit_code == 0, result.output
    for kind in ("property", "payment_order", "general_average", "第十四条第（六）项"):
        assert kind in result.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--kind", "property", "--amount", "-5"], ["negative"]),
        (["--kind", "property", "--amount", "abc"], ["not an amount in yuan: 'abc'"]),
        (["--kind", "property", "--amount", "1.234"], ["too many decimals"]),
        (["--kind", "propety", "--amount", "100"], ["unknown kind 'propety'", "property"]),
        (["--kind", "property"], ["give the amount"]),
        (["--kind", "labour", "--amount", "100"], ["per case"]),
        (
            ["--kind", "preservation", "--amount", "100", "--procedure", "simplified"],
            ["does not apply"],
        ),
        (
            ["--kind", "property", "--amount", "100", "--date", "2007-03-31"],
            ["no fee schedule in force on 2007-03-31"],
        ),
        (["--kind", "property", "--amount", "100", "--date", "tomorrow"], ["not a date"]),
    ],
)
def test_bad_input_is_one_line_and_status_2(args: list[str], fragments: list[str]) -> None:
    assert_clean_error(invoke(["calc", *args, "--lang", "en"]), *fragments)


def test_errors_follow_the_language() -> None:
    result = invoke(["calc", "--kind", "property", "--amount", "abc"])  # zh by default
    assert_clean_error(result, "不是以元为单位的金额")


def test_the_courts_figures_come_from_the_environment() -> None:
    data = calc_json("--kind", "divorce", env={"TINGSHEN_FEES_DIVORCE_BASE_FEN": "30000"})
    assert data["total_fen"] == 30_000
    data = calc_json("--kind", "property", "--amount", "12345",
                     env={"TINGSHEN_FEES_ROUNDING_UNIT_FEN": "100"})  # fmt: skip
    assert data["total_fen"] == 10_900
    result = invoke(["calc", "--kind", "divorce", "--lang", "en"],
                    env={"TINGSHEN_FEES_DIVORCE_BASE_FEN": "40000"})  # fmt: skip
    assert_clean_error(result, "TINGSHEN_FEES_DIVORCE_BASE_FEN", "50.00–300.00")
    result = invoke(["calc", "--kind", "divorce", "--lang", "en"],
                    env={"TINGSHEN_FEES_ROUNDING_UNIT_FEN": "3"})  # fmt: skip
    assert_clean_error(result, "bad TINGSHEN_FEES_* setting", "rounding_unit_fen")


def test_tingshen_loads_the_fees_commands_by_name() -> None:
    result = runner.invoke(
        tingshen_cli.app, ["fees", "calc", "--kind", "payment_order", "--amount", "100000",
                           "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total_fen"] == 76_667  # 2,300 ÷ 3 = 766.67
    result = runner.invoke(
        tingshen_cli.app, ["fees", "calc", "--kind", "x", "--amount", "1", "--lang", "en"]
    )
    assert_clean_error(result, "unknown kind 'x'")


def test_the_readme_example_is_what_the_command_prints() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 诉讼费计算 / Computing litigation fees", 1)[1]
    for command in (
        "tingshen fees calc --kind property --amount 1234567.89",
        "tingshen fees calc --kind property --amount 12345 --procedure simplified --lang en",
    ):
        shown = section.split(f"{command}\n```\n\n```\n", 1)[1].split("\n```", 1)[0]
        result = invoke(command.split()[2:])
        assert result.exit_code == 0, result.output
        printed = "\n".join(line.rstrip() for line in result.stdout.rstrip("\n").splitlines())
        assert printed == shown, command
