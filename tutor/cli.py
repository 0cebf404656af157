"""The ``tutor`` command line: a thin layer over the engine.

Heavy imports (numpy, sympy, jinja2) happen inside the commands that need
them, so that ``tutor --help`` starts as fast as the bare interpreter.
"""

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tutor")
def cli():
    """Exam practice and auto-grading for machine-learning courses.

    \b
    Example:
      tutor --version
    """


def main():
    """Entry point of the console script."""
    cli(prog_name="tutor")
