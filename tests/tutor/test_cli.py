"""The command line's skeleton: version, help, and a light start-up path."""

import subprocess
import sys
import tempfile

from click.testing import CliRunner

import tutor
from tutor.cli import cli


def test_version_names_the_package_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"tutor, version {tutor.__version__}"


def test_help_shows_an_example():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_unknown_option_is_a_usage_error():
    result = CliRunner().invoke(cli, ["--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_importing_the_cli_does_not_import_heavy_libraries():
    # `tutor --help` must start about as fast as the bare interpreter.
    code = (
        "import sys, tutor.cli; "
        "heavy = {'numpy', 'sympy', 'jinja2', 'scipy'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),  # not the source tree, which would shadow the package
    )
    assert out.stdout.strip() == "[]"
