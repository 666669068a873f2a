"""``onecard programmes …`` on a SQLite store: the county defines a programme, changes it (a
new version with its reason), lists and shows it, and retires it; refusals exit non-zero
with their code and Chinese message, storing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from infra.cli.main import app
from infra.settings import get_settings

runner = CliRunner()
COUNTY = ["--operator", "u-county", "--operator-division", "650102"]
DEFINE = [
    "programmes", "define", "GDDLBH", *COUNTY,
    "--name", "耕地地力保护补贴", "--department", "县农业农村局",
    "--funding-source", "中央财政", "--unit", "亩", "--unit-standard", "95.50",
    "--max-amount", "5000.00", "--jurisdiction", "650102", "--valid-from", "2026-01-01",
    "--alias", "地力补贴",
]  # fmt: skip


@pytest.fixture(autouse=True)
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ONECARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ONECARD_EVENT_STORE_URL", f"sqlite:///{tmp_path}/events.db")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_programme_is_defined_changed_listed_and_shown_with_its_versions() -> None:
    assert ok(*DEFINE) == "GDDLBH v1 defined\n"
    assert ok(*DEFINE) == "GDDLBH v1 already defined\n"
    change = ("programmes", "change", "GDDLBH", *COUNTY, "--unit-standard", "108.47")
    assert ok(*change, "--reason", "2026年标准调整") == "GDDLBH v2 changed\n"
    assert ok(*change, "--reason", "再次提交") == "GDDLBH v2 unchanged\n"
    (line,) = ok("programmes", "list").splitlines()
    assert line.split("\t") == [
        "GDDLBH", "v2", "执行中", "耕地地力保护补贴", "108.47元/亩，每人最高5000.00元",
        "公示5个工作日", "650102", "2026-01-01~",
    ]  # fmt: skip
    shown = ok("programmes", "show", "GDDLBH")
    assert '"unit_standard": "108.47"' in shown
    assert '"aliases": [\n  "地力补贴"\n ]' in shown
    history = [entry.split("\t") for entry in shown.splitlines() if entry.startswith("v")]
    assert [(v, kind, who, why) for v, kind, _, who, why in history] == [
        ("v1", "ProgrammeDefined", "u-county", ""),
        ("v2", "ProgrammeRevised", "u-county", "2026年标准调整"),
    ]


def test_a_change_keeps_the_list_kinds_it_does_not_name() -> None:
    ok(*DEFINE, "--list-policy", "disabled=warn")
    change = ("programmes", "change", "GDDLBH", *COUNTY, "--reason", "财政供养人员不得享受")
    ok(*change, "--list-policy", "public_servant=reject")
    shown = ok("programmes", "show", "GDDLBH")
    assert '"public_servant": "reject"' in shown
    assert '"disabled": "warn"' in shown


def test_a_retired_programme_is_listed_as_retired_and_takes_no_change() -> None:
    ok(*DEFINE)
    assert "GDDLBH retired on" in ok("programmes", "retire", "GDDLBH", *COUNTY, "--reason", "停")
    assert "\t停用(" in ok("programmes", "list")
    result = invoke("programmes", "change", "GDDLBH", *COUNTY, "--unit", "户", "--reason", "x")
    assert result.exit_code == 1
    assert result.output.startswith("programme_retired: ")


def test_an_operator_outside_the_programmes_jurisdiction_is_refused() -> None:
    elsewhere = ["--operator", "u-far", "--operator-division", "650103"]
    result = invoke(*DEFINE[:3], *elsewhere, *DEFINE[3 + len(COUNTY) :])
    assert result.exit_code == 1
    assert result.output == "outside_jurisdiction: 该数据不在您的管辖范围内，无权操作\n"
    assert ok("programmes", "list") == ""


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-amount", "5000.005"), ("--max-amount", "5e3"), ("--valid-from", "2026/01/01")],
)
def test_money_and_dates_are_refused_unless_written_exactly(option: str, value: str) -> None:
    index = DEFINE.index(option)
    result = invoke(*DEFINE[: index + 1], value, *DEFINE[index + 2 :])
    assert result.exit_code == 2
    assert value in result.output
    assert ok("programmes", "list") == ""


def test_terms_missing_or_unknown_programmes_are_refused() -> None:
    result = invoke("programmes", "define", "GDDLBH", *COUNTY, "--name", "耕地地力保护补贴")
    assert result.exit_code == 2
    assert "补贴项目条款不完整" in result.output
    result = invoke("programmes", "change", "NOPE", *COUNTY, "--reason", "x")
    assert result.exit_code == 1
    assert result.output == "programme_unknown: 补贴政策清单中没有代码为NOPE的项目\n"
