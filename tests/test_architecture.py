"""The package's shape (notes/architecture.md): imports between its modules
form no circle, also through imports inside functions; the GeNN side never
imports a translator; the leaf modules import no other module of the
package but leaves; long modules are the listed ones."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "brian2genn_bridge"

#: modules that import no other module of the package but these leaves
LEAVES = {"errors", "schedule", "subgroups", "parallel", "preferences", "options",
          "identity", "device_settings", "integration_cache", "translators.names",
          "translators.synaptic_code", "translators.assignments"}

#: modules longer than about 600 lines, and why (each a place to split next)
LONG_MODULES = {
    "genn.simulation": "the loaded model: build, load, values, phases, queue pointers, recordings",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str) -> set[str]:
    """The modules of the package that ``path`` (module ``name``) imports,
    anywhere in it."""
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    result = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("brian2genn_bridge"):
                target = node.module[len("brian2genn_bridge"):].lstrip(".")
            else:
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}" if target else alias.name
                # ``from . import module`` or ``from .module import name``
                result.add(full if (PACKAGE / Path(*full.split("."))).with_suffix(".py")
                           .exists() else target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("brian2genn_bridge."):
                    result.add(alias.name[len("brian2genn_bridge."):])
    return {module for module in result if module and module != name}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path, name) if m in modules}
            for name, path in modules.items()}


def test_no_import_circles():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                cycles.append(stack[stack.index(other):] + [other])
            elif other not in state:
                visit(other, stack + [other])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, f"import circles: {cycles}"


def test_genn_side_imports_no_translator():
    graph = _graph()
    offending = {name: sorted(m for m in imports if m.startswith("translators"))
                 for name, imports in graph.items() if name.startswith("genn")}
    assert not any(offending.values()), offending


def test_leaves_import_only_leaves():
    graph = _graph()
    offending = {name: sorted(graph[name] - LEAVES) for name in LEAVES}
    assert not any(offending.values()), offending


def test_long_modules_are_the_listed_ones():
    long = {_module_name(path) for path in PACKAGE.rglob("*.py")
            if len(path.read_text().splitlines()) > 650}
    assert long <= set(LONG_MODULES), f"modules over 650 lines: {sorted(long)}"
