"""Files for students and instructors: the starter of an assignment (every
function's signature and docstring, raising NotImplementedError) and the
reference solution as a single submission file."""

import inspect
import re
from importlib.resources import files

HEADER = '''"""{title}

Implement each function below in numpy (the only library available when
your file is graded). Keep the names and signatures; the docstrings give the
formula, the shapes and the conventions. Check with:

    tutor grade {name} {filename}
"""

import numpy as np
'''


def _function_stub(reference):
    signature = inspect.signature(reference)
    doc = inspect.getdoc(reference) or ""
    prefix = "r" if "\\" in doc else ""
    body = "\n".join(("    " + line).rstrip() for line in doc.splitlines())
    return (
        f"def {reference.__name__}{signature}:\n"
        f'    {prefix}"""{body.lstrip()}\n    """\n'
        f'    raise NotImplementedError("{reference.__name__} is not implemented yet")\n'
    )


def starter_source(assignment, filename="homework.py"):
    stubs = [_function_stub(task.kind.reference) for task in assignment.tasks]
    header = HEADER.format(title=assignment.title, name=assignment.name, filename=filename)
    return header + "\n\n" + "\n\n".join(stubs)


def starter_notebook(assignment, filename="homework.ipynb"):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    header = HEADER.format(title=assignment.title, name=assignment.name, filename=filename)
    intro = header.split("\nimport numpy as np\n")[0]
    notebook.cells = [
        nbformat.v4.new_markdown_cell(intro.strip().strip('"').strip()),
        nbformat.v4.new_code_cell("import numpy as np"),
        *(
            nbformat.v4.new_code_cell(_function_stub(t.kind.reference).rstrip())
            for t in assignment.tasks
        ),
    ]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nbformat.writes(notebook)


RELATIVE_IMPORT = re.compile(r"^from \.[\w.]* import .*?(\(.*?\))?$", re.M | re.S)


def reference_source():
    """Every module of tutor.solutions in one file, the relative imports
    dropped: the model answer of every task, as a submission."""
    folder = files("tutor.solutions")
    order = ["activations", "trees", "pca", "backprop", "conv", "rl", "linear", "training"]
    modules = [folder / f"{name}.py" for name in order]
    modules += sorted(
        (
            p
            for p in folder.iterdir()
            if p.name.endswith(".py") and p.name[:-3] not in order + ["__init__"]
        ),
        key=lambda p: p.name,
    )
    parts = [RELATIVE_IMPORT.sub("", path.read_text(encoding="utf-8")) for path in modules]
    return "\n\n".join(parts)
