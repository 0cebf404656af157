"""The solutions modules as one file: the graded model answer concatenates
them all, so no top-level name of one module may shadow another's."""

import ast
from importlib.resources import files

from tutor.grading import starter


def module_sources():
    folder = files("tutor.solutions")
    return {
        p.name[:-3]: p.read_text(encoding="utf-8")
        for p in folder.iterdir()
        if p.name.endswith(".py") and p.name != "__init__.py"
    }


def bindings(source):
    """(defined names, imported names → where from) at the top of a module."""
    defined, imported = set(), {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Import):
            imported |= {a.asname or a.name: a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            origin = "." * node.level + (node.module or "")
            imported |= {a.asname or a.name: f"{origin}.{a.name}" for a in node.names}
    return defined, imported


def test_no_top_level_name_is_defined_twice_across_modules():
    owner = {}
    for module, source in sorted(module_sources().items()):
        defined, _ = bindings(source)
        for name in defined:
            assert name not in owner, f"{name} is defined in {owner.get(name)} and {module}"
            owner[name] = module


def test_imports_bind_the_same_thing_everywhere():
    sources = module_sources()
    owner = {}
    for module, source in sources.items():
        owner |= dict.fromkeys(bindings(source)[0], module)
    for module, source in sorted(sources.items()):
        for alias, origin in bindings(source)[1].items():
            if origin.startswith("."):
                # A relative import binds the sibling's own definition.
                assert origin == f".{owner.get(alias)}.{alias}", (module, alias, origin)
            else:
                assert alias not in owner, f"{module} imports {alias}, which {owner[alias]} defines"


def test_the_concatenated_model_answer_defines_every_public_function():
    namespace = {}
    exec(compile(starter.reference_source(), "reference.py", "exec"), namespace)
    for module, source in module_sources().items():
        for name in bindings(source)[0]:
            assert name in namespace, (module, name)
