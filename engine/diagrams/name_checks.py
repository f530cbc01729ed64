"""Name checks before deploy: every name a diagram's code reads must come from somewhere.

A misspelt variable (`core_group_due_datee`) or a module the diagram cannot have (`os`)
compiles and deploys, then fails with a NameError when a case reaches it, often in the
night's timer sweep. Here each script, condition, timer, due date, title and assignee is
read before deploy, and every name it reads must be one of:

- a field of a form filled earlier in the diagram (an ancestor in the flow, or the task's
  own form for its post-script);
- a name assigned by a script earlier in the diagram (a subprocess's, once it has run);
- the data the process starts with: the case facts, what its starting command adds, and
  what any diagram passes to `start_process` for it;
- a function or setting the diagrams are documented to have.

Calls must fit the function's parameters (`remind()` with none is flagged), and
`setting("...")` must name a council setting. Each problem names its element and suggests
the nearest known name.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

import forms
from engine.casework import case_data, vocabulary
from engine.platform import folders, settings
from engine.platform.errors import Problem

CODE_PROPERTIES = ("assignee", "title", "dueDate")
BARE_DURATION = re.compile(r"^(R\d*/)?P[0-9WDTHMSY.]+$")
MODULES = frozenset({"os", "sys", "subprocess", "shutil", "socket", "open", "eval", "exec"})
_START_PROCESS = re.compile(r"start_process\(\s*[\"'](\w+)[\"']")


def check(
    process_id: str, specs: list, xml: str = "", fields_of=None, start_as: str | None = None
) -> list[Problem]:
    """Every name problem in the diagram's specs (the main process first, then subprocesses).

    `fields_of(form_key)` gives the fields of the form version each task will use (None for
    no such form); without it the forms in `forms/` are read. A copy of another process
    (`start_as`) also starts with what that process starts with.
    """
    language = vocabulary.LANGUAGE
    functions = {name: language.globals[name] for name in language.names}
    start = start_data(process_id, xml)
    if start_as:
        start |= start_data(start_as, xml)
    by_name = {spec.name: spec for spec in specs}
    produced = _Produced(by_name, fields_of)
    anywhere = {n for spec in specs for t in spec.task_specs.values() for n in produced.of(t)}
    # A form this server has no definition for (a test's) has fields nobody can list: then
    # an unknown name may be one of them, and only what is certainly wrong is reported.
    unlisted = any(_form_unlisted(t, fields_of) for spec in specs for t in spec.task_specs.values())
    problems: list[Problem] = []
    for spec, inherited in _with_inherited(specs, by_name, produced, start):
        for task_spec in spec.task_specs.values():
            known = inherited | produced.before(spec, task_spec)
            for what, source, mode, own in _code(task_spec):
                names = known | own(task_spec, produced)
                problems += _check_code(
                    task_spec, what, source, mode, names, anywhere, functions, language, unlisted
                )
    return list(dict.fromkeys(problems))


def start_data(process_id: str, xml: str = "") -> set[str]:
    """What a process starts with: the case facts, what its command adds, and the keywords
    every diagram (in the processes folder, and this one) passes to `start_process` for it."""
    names = set(case_data.FACTS) | set(case_data.STARTED_WITH.get(process_id, ()))
    passed: set[str] = set()
    for text in (*_folder_diagrams(), xml):
        passed |= _start_keywords(text, process_id)
    if passed:
        names |= (passed - {""}) | set(case_data.FOLLOW_ON)
    return names


def _folder_diagrams() -> list[str]:
    paths = sorted(folders.processes().glob("*.bpmn"))
    return list(_read(tuple((str(p), p.stat().st_mtime) for p in paths)))


@lru_cache(maxsize=4)
def _read(paths: tuple) -> tuple[str, ...]:
    return tuple(Path(path).read_text(encoding="utf-8", errors="replace") for path, _m in paths)


def _start_keywords(text: str, process_id: str) -> set[str]:
    """The keywords of each `start_process("<process_id>", ...)` in a diagram's text (and an
    empty name for a call that passes none, so that the call still counts)."""
    names: set[str] = set()
    for match in _START_PROCESS.finditer(text):
        if match.group(1) != process_id:
            continue
        call = _balanced(text, match.start())
        try:
            tree = ast.parse(_unescape(call), mode="eval")
        except SyntaxError:
            continue
        if isinstance(tree.body, ast.Call):
            names |= {k.arg for k in tree.body.keywords if k.arg} | {""}
    return names


def _balanced(text: str, start: int) -> str:
    depth = 0
    for index in range(start, min(len(text), start + 4000)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return text[start:]


def _unescape(text: str) -> str:
    return (
        text.replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&")
    )


# ---- where names come from ------------------------------------------------------------------


class _Produced:
    """The names each task gives the data, and those given by every task before one."""

    def __init__(self, by_name: dict, fields_of=None):
        self.by_name, self.fields_of = by_name, fields_of
        self._memo: dict[tuple[str, str], set[str]] = {}
        # What each task gives, by id: every task after it asks, so a diagram of n tasks
        # would otherwise walk its scripts n² times.
        self._given: dict[int, frozenset[str]] = {}

    def of(self, task_spec) -> frozenset[str]:
        key = id(task_spec)
        if key not in self._given:
            self._given[key] = frozenset(self._of(task_spec))
        return self._given[key]

    def _of(self, task_spec) -> set[str]:
        names = set(form_fields(task_spec, self.fields_of))
        for attribute in ("prescript", "postscript", "script"):
            source = getattr(task_spec, attribute, None)
            if isinstance(source, str) and source.strip():
                names |= assigned(source)
        for attribute in ("data_output", "output_item", "input_item"):
            item = getattr(task_spec, attribute, None)
            if item is not None and getattr(item, "bpmn_id", None):
                names.add(item.bpmn_id)
        child = getattr(task_spec, "task_spec", None)
        if child is not None and not isinstance(child, str):
            names |= self.of(child)
        subprocess = _called(task_spec, self.by_name)
        if subprocess is not None:
            for inner in subprocess.task_specs.values():
                names |= self.of(inner)
        return names

    def before(self, spec, task_spec) -> set[str]:
        """Names given by the tasks that can run before `task_spec` in its own process."""
        key = (spec.name, task_spec.name)
        if key not in self._memo:
            names: set[str] = set()
            for earlier in _ancestors(task_spec):
                names |= self.of(earlier)
            self._memo[key] = names
        return self._memo[key]


def _ancestors(task_spec) -> list:
    seen, queue, found = {id(task_spec)}, list(task_spec.inputs), []
    owner = _multi_instance_parent(task_spec)
    if owner is not None:
        queue.append(owner)
    while queue:
        spec = queue.pop()
        if id(spec) in seen:
            continue
        seen.add(id(spec))
        found.append(spec)
        queue.extend(spec.inputs)
    return found


def _multi_instance_parent(task_spec):
    for spec in task_spec.inputs:
        if getattr(spec, "task_spec", None) is task_spec:
            return spec
    return None


def _called(task_spec, by_name: dict):
    """The subprocess spec a subprocess or call activity runs, if it is in this diagram."""
    name = getattr(task_spec, "spec", None)
    return by_name.get(name) if isinstance(name, str) else None


def _with_inherited(specs: list, by_name: dict, produced: _Produced, start: set[str]):
    """Each spec with what it starts knowing: a subprocess knows what its caller knew."""
    inherited = {specs[0].name: set(start)}
    for spec in specs:
        for task_spec in spec.task_specs.values():
            called = _called(task_spec, by_name)
            if called is not None and called is not spec:
                inherited[called.name] = (
                    inherited.get(spec.name, set(start))
                    | produced.before(spec, task_spec)
                    | inherited.get(called.name, set())
                )
    for spec in specs:
        yield spec, inherited.get(spec.name, set(start))


def _form_unlisted(task_spec, fields_of=None) -> bool:
    extensions = getattr(task_spec, "extensions", None)
    key = (extensions.get("properties", {}) if extensions else {}).get("formKey")
    if not key or not getattr(task_spec, "manual", False):
        return False
    return fields_of(key) is None if fields_of is not None else not forms.exists(key)


def form_fields(task_spec, fields_of=None) -> list[str]:
    """The fields of the task's form (none when it has no form or the form is missing)."""
    extensions = getattr(task_spec, "extensions", None)
    props = extensions.get("properties", {}) if extensions else {}
    key = props.get("formKey")
    if not key or not getattr(task_spec, "manual", False):
        return []
    if fields_of is not None:
        return list(fields_of(key) or [])
    try:
        return [field.name for field in forms.load(key).fields]
    except forms.definitions.FormDefinitionError:
        return []


@lru_cache(maxsize=2048)
def assigned(source: str) -> frozenset[str]:
    """Names a script stores into the data: its top-level assignments and loop targets."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    return frozenset(
        node.id if isinstance(node, ast.Name) else node.name
        for node in ast.walk(tree)
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store))
        or isinstance(node, ast.FunctionDef)
    )


def _code(task_spec) -> Iterable[tuple]:
    """(what, source, mode, names the code itself may also read) for each piece of code."""
    nothing = _nothing
    for attribute, what, own in (
        ("prescript", "pre-script", nothing),
        ("script", "script", nothing),
        ("postscript", "post-script", _own_form),
    ):
        source = getattr(task_spec, attribute, None)
        if isinstance(source, str) and source.strip():
            yield what, source, "exec", own
    for condition, _target in getattr(task_spec, "cond_task_specs", []) or []:
        if condition is not None:
            yield "condition", condition.args[0], "eval", nothing
    event = getattr(task_spec, "event_definition", None)
    if isinstance(event, TimerEventDefinition) and not BARE_DURATION.match(
        event.expression.strip()
    ):
        yield "timer", event.expression, "eval", nothing  # a bare P10D: the timer check says
    extensions = getattr(task_spec, "extensions", None)
    props = extensions.get("properties", {}) if extensions else {}
    for name in CODE_PROPERTIES:
        if props.get(name):
            yield name, props[name], "eval", _prescript_names
    if props.get("recompute"):  # worked out again from the step's own answers when moved
        yield "recompute", props["recompute"], "eval", _own_form
    if props.get("recomputeFollowOns"):  # what the step gave the workflows it started
        yield "recomputeFollowOns", props["recomputeFollowOns"], "eval", _own_form
    for attribute in ("cardinality", "condition"):
        source = getattr(task_spec, attribute, None)
        if isinstance(source, str) and source.strip():
            yield f"loop {attribute}", source, "eval", nothing


def _nothing(_task_spec, _produced) -> set[str]:
    return set()


def _own_form(task_spec, produced) -> set[str]:
    names = set(form_fields(task_spec, produced.fields_of))
    for attribute in ("prescript", "script"):
        source = getattr(task_spec, attribute, None)
        if isinstance(source, str):
            names |= assigned(source)
    return names | _loop_item(task_spec)


def _prescript_names(task_spec, _produced) -> set[str]:
    source = getattr(task_spec, "prescript", None)
    return (assigned(source) if isinstance(source, str) else set()) | _loop_item(task_spec)


def _loop_item(task_spec) -> set[str]:
    owner = _multi_instance_parent(task_spec)
    item = getattr(owner, "input_item", None) if owner is not None else None
    return {item.bpmn_id} if item is not None and getattr(item, "bpmn_id", None) else set()


# ---- reading the code --------------------------------------------------------------------


def _label(task_spec) -> str:
    name = getattr(task_spec, "bpmn_name", None) or task_spec.name
    return f"“{name}” ({getattr(task_spec, 'bpmn_id', None) or task_spec.name})"


def _check_code(
    task_spec, what, source, mode, known, anywhere, functions, language, unlisted=False
) -> list[Problem]:
    try:
        tree = ast.parse(source.strip(), mode=mode)
    except SyntaxError:
        return []  # the compile check reports it
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name
    where = f"{_label(task_spec)}: {what}"
    local = _bound_inside(tree)
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    every = known | local | language.reserved
    problems = []
    for name in _read_names(tree):
        if name in every or (name in called and name not in known):
            continue  # an unknown function is the compile check's to report
        if unlisted and name not in MODULES:
            continue
        if name in anywhere:
            message = (
                "which only a step that cannot have run before this one sets; move this code "
                "after that step, or set the value earlier"
            )
        else:
            message = _unknown(name, every)
        problems.append(Problem(f"{where} reads “{name}”, {message}", element))
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        problems += [Problem(f"{where}: {p}", element) for p in _call_problems(call, functions)]
    return problems


def _read_names(tree: ast.AST) -> list[str]:
    seen = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in seen:
            seen.append(node.id)
    return seen


def _bound_inside(tree: ast.AST) -> set[str]:
    """Names the code binds itself: assignments, loop and comprehension variables, function
    names and parameters, `except ... as` names."""
    names = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.Lambda):
            names |= {a.arg for a in [*node.args.args, *node.args.kwonlyargs]}
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _unknown(name: str, known: set[str]) -> str:
    message = (
        "which is not a form field, an earlier assignment, the start data or a diagram function"
    )
    if name in MODULES:
        return f"{message}; diagrams cannot use modules or files, only the listed functions"
    close = difflib.get_close_matches(name, sorted(n for n in known if not n.startswith("_")), 1)
    return f"{message}; did you mean “{close[0]}”?" if close else f"{message}; check the spelling"


def _call_problems(call: ast.Call, functions: dict) -> list[str]:
    if not isinstance(call.func, ast.Name):
        return []
    name = call.func.id
    if name == "setting" and call.args and isinstance(call.args[0], ast.Constant):
        wanted = call.args[0].value
        known = sorted(settings.defaults())
        if isinstance(wanted, str) and wanted not in known:
            close = difflib.get_close_matches(wanted, known, 1)
            hint = f"; did you mean “{close[0]}”?" if close else ""
            return [f"setting(“{wanted}”) is not a council setting{hint}"]
    function = functions.get(name)
    if function is None or any(isinstance(a, ast.Starred) for a in call.args):
        return []
    if any(k.arg is None for k in call.keywords):
        return []
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    try:
        signature.bind(*call.args, **{k.arg: k.value for k in call.keywords})
    except TypeError as exc:
        return [f"{name}() is called with arguments that do not fit {name}{signature}: {exc}"]
    return []
