"""An import-linter contract of this project (pyproject.toml, run by `make lint`): no import
cycle between modules, function-local imports included (grimp sees those too).

import-linter's own contracts check layers between packages; this one checks every module of
`containers` and reports each group of modules that import each other in a circle, with the
imports that close it, so that a cycle hidden behind an import inside a function fails the lint
instead of waiting to break at start-up."""

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _strongly_connected(graph: ImportGraph, modules: set[str]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of more than one module that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child) & modules
                    work.append((child, iter(sorted(imported))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


class AcyclicModulesContract(Contract):
    type_name = "acyclic_modules"

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        modules = set()
        for container in self.containers:  # type: ignore[attr-defined]
            modules |= {container, *graph.find_descendants(container)}
        cycles = []
        for group in _strongly_connected(graph, modules):
            members = set(group)
            imports = [
                f"{importer} -> {imported} (l.{detail['line_number']})"
                for importer in group
                for imported in sorted(graph.find_modules_directly_imported_by(importer) & members)
                for detail in graph.get_import_details(importer=importer, imported=imported)[:1]
            ]
            cycles.append({"modules": group, "imports": imports})
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("These modules import each other in a cycle:")
            output.new_line()
            for line in cycle["imports"]:
                output.indent_cursor()
                output.print_error(f"- {line}", bold=False)
            output.new_line()
