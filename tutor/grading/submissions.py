"""Reading submissions: a .py file, a Jupyter notebook, or a folder holding
one of them. The student id is the file stem or the folder name. A file
that cannot be used still gives a submission, with the reason as its error,
so that the student gets a recorded result."""

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 1_000_000  # of code
MAX_NOTEBOOK_BYTES = 20_000_000  # a notebook's outputs (plots) count here, not above
MAGIC = re.compile(r"^\s*[%!]")
OPENING, CLOSING = "([{", ")]}"


@dataclass(frozen=True)
class Submission:
    student: str
    path: str
    source: str
    error: str | None = None

    @property
    def digest(self):
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


def notebook_source(raw):
    """The code cells of a notebook, in order, as one Python source; IPython
    magics and shell lines dropped (a cell magic drops its whole cell)."""
    import nbformat

    notebook = nbformat.reads(raw, as_version=4)
    chunks = []
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if source.lstrip().startswith("%%"):
            continue
        chunks.append("\n".join(_drop_magics(source.splitlines())))
    return "\n\n".join(chunks) + "\n"


def _drop_magics(lines):
    """Lines without IPython magics and shell escapes: a % or ! that starts a
    logical line, not one inside an open bracket or after a backslash."""
    kept, depth, continued = [], 0, False
    for line in lines:
        if depth == 0 and not continued and MAGIC.match(line):
            kept.append("")
            continue
        kept.append(line)
        code = line.split("#", 1)[0]
        depth += sum(code.count(c) for c in OPENING) - sum(code.count(c) for c in CLOSING)
        depth = max(0, depth)
        continued = code.rstrip().endswith("\\")
    return kept


def _candidates(folder):
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix in (".py", ".ipynb")
        and not any(part.startswith((".", "__")) for part in p.relative_to(folder).parts)
    )
    return files


def load(path):
    """One submission from a file or a folder."""
    path = Path(path)
    student = path.stem if path.is_file() else path.name
    if path.is_dir():
        files = _candidates(path)
        if len(files) != 1:
            found = ", ".join(p.name for p in files[:5]) or "none"
            return Submission(
                student,
                str(path),
                "",
                f"the folder must hold exactly one .py or .ipynb file (found: {found})",
            )
        path = files[0]
    if path.suffix not in (".py", ".ipynb"):
        return Submission(student, str(path), "", "not a .py or .ipynb file")
    limit = MAX_NOTEBOOK_BYTES if path.suffix == ".ipynb" else MAX_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            megabytes = limit // 1_000_000
            return Submission(
                student, str(path), "", f"the file is larger than {megabytes} MB ({size} bytes)"
            )
        raw = path.read_bytes()
    except OSError as error:
        return Submission(student, str(path), "", f"cannot read the file ({error.strerror})")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except UnicodeDecodeError:
        return Submission(student, str(path), "", "the file is not UTF-8 text")
    if path.suffix == ".ipynb":
        try:
            text = notebook_source(text)
        except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            return Submission(student, str(path), "", f"not a readable notebook ({reason})")
        except Exception as error:  # nbformat raises its own validation errors
            return Submission(
                student, str(path), "", f"not a readable notebook ({type(error).__name__})"
            )
    if len(text.encode("utf-8")) > MAX_BYTES:
        return Submission(student, str(path), "", "the code is larger than 1 MB")
    if not text.strip():
        return Submission(student, str(path), text, "the file is empty")
    if "\x00" in text:
        return Submission(student, str(path), "", "the file contains NUL bytes")
    return Submission(student, str(path), text)


def expand(paths):
    """The submissions among the given paths. A file is one submission. A
    folder with exactly one .py/.ipynb file and no subfolder is one student's
    submission; any other folder is a class: each file or subfolder in it is
    one submission."""
    found = []
    for path in map(Path, paths):
        if not path.is_dir():
            found.append(path)
            continue
        entries = sorted(p for p in path.iterdir() if not p.name.startswith((".", "_")))
        code = [p for p in entries if p.is_file() and p.suffix in (".py", ".ipynb")]
        if len(code) == 1 and not any(p.is_dir() for p in entries):
            found.append(path)
        else:
            found += [p for p in entries if p.is_dir() or p.suffix in (".py", ".ipynb")]
    return found
