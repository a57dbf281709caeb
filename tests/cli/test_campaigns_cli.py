"""An NGO's communications officer drives a campaign from the command line: creates it from the
example YAML, submits it, cannot approve it herself, a colleague approves it, it is scheduled,
and `show` reports its audience and progress."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cli.main import main

EXAMPLE = Path(__file__).resolve().parents[2] / "campaigns/examples/morocco-awareness.yaml"


def _aman(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _staff(monkeypatch: pytest.MonkeyPatch, capsys, username: str, role: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password 123\n"))
    code, out = _aman(
        capsys, "staff", "add", "--username", username, "--name", username.title(),
        "--role", role, "--password-stdin",
    )  # fmt: skip
    assert code == 0, out


def test_a_campaign_goes_from_yaml_to_scheduled_with_two_people(monkeypatch, capsys) -> None:
    assert _aman(capsys, "migrate")[0] == 0
    _staff(monkeypatch, capsys, "salma", "editor")
    _staff(monkeypatch, capsys, "youssef", "approver")

    code, out = _aman(capsys, "campaigns", "create", str(EXAMPLE), "--as", "salma")
    assert code == 0, out
    campaign_id = next(w for w in out.replace("#", " ").split() if w.isdigit())

    assert _aman(capsys, "campaigns", "submit", campaign_id, "--as", "salma")[0] == 0
    code, out = _aman(capsys, "campaigns", "approve", campaign_id, "--as", "salma")
    assert code != 0 and "author" in out.lower()
    code, out = _aman(capsys, "campaigns", "approve", campaign_id, "--as", "youssef")
    assert code == 0, out
    code, out = _aman(capsys, "campaigns", "schedule", campaign_id, "--as", "youssef")
    assert code == 0, out

    code, out = _aman(capsys, "campaigns", "list")
    assert "Morocco: free UN services" in out and "scheduled" in out
    code, out = _aman(capsys, "campaigns", "show", campaign_id)
    assert code == 0 and "countries: MA" in out


def test_mistakes_on_the_command_line_get_a_plain_answer(tmp_path, capsys) -> None:
    assert _aman(capsys, "migrate")[0] == 0
    code, out = _aman(capsys, "campaigns", "show", "42")
    assert code == 1 and "there is no campaign 42" in out and "Traceback" not in out
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    code, out = _aman(capsys, "campaigns", "create", str(broken), "--as", "salma")
    assert code == 1 and "not valid YAML" in out
    broken.write_text("name: No variants\n")
    code, out = _aman(capsys, "campaigns", "create", str(broken), "--as", "salma")
    assert code == 1 and "at least one variant" in out
    code, out = _aman(capsys, "campaigns", "create", str(EXAMPLE), "--as", "nobody")
    assert code == 1 and "no staff member 'nobody'" in out
    assert "no campaigns yet" in _aman(capsys, "campaigns", "list")[1]
