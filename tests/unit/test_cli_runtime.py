"""``onecard serve`` refuses a service that does not exist, before starting anything."""

from __future__ import annotations

from typer.testing import CliRunner

from infra.cli.main import app

runner = CliRunner()


def test_an_unknown_service_exits_2_naming_it_and_the_choices() -> None:
    result = runner.invoke(app, ["serve", "billing"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "unknown service 'billing'" in result.output
    assert "registry, approval, payout, notify, publicity" in result.output


def test_serve_needs_a_service() -> None:
    result = runner.invoke(app, ["serve"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_synth_writes_a_county_and_says_where(tmp_path) -> None:
    from typer.testing import CliRunner

    from infra.cli.main import app

    result = CliRunner().invoke(
        app, ["synth", str(tmp_path / "county"), "--beneficiaries", "300", "--townships", "1"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "county" / "register.csv").exists()
    assert "manifest:" in result.output
