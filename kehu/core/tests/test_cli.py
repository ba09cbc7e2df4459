"""The `kehu` console command."""

from kehu import cli


def test_help_lists_the_commands(capsys):
    assert cli.main(["--help"]) == 0

    out = capsys.readouterr().out
    for command in ("serve", "worker", "demo", "createadmin"):
        assert command in out


def test_serve_refuses_a_port_that_is_not_a_number(capsys, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)

    assert cli.main(["serve", "--port", "http"]) == 2
    assert "PORT='http'" in capsys.readouterr().err
