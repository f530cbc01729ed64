"""Diagrams: parse safely, validate before deploy, keep each deployed version, parse specs once.

A deployed version is immutable (process id + content hash). Instances start on the latest
version and keep the one they started on. Parsed specs are cached per version id for the life
of the process: no request ever parses XML twice.
"""

from __future__ import annotations

import ast
import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from sqlalchemy.orm import Session

from engine.access import roles
from engine.casework import vocabulary
from engine.diagrams import (
    diagram_checks,
    foreign_diagrams,
    form_versions,
    name_checks,
    refusals,
    spec_reading,
)
from engine.models.instances import HumanTask
from engine.models.lengths import limit
from engine.models.processes import ProcessVersion, latest_version
from engine.platform.errors import InvalidDiagram, NotFound, Problem
from engine.workflow import expressions

MAX_DIAGRAM_BYTES = 2 * 1024 * 1024
# Refused before any parser sees the file (UTF-16 spelt too): no entity is ever expanded.
DECLARATIONS = re.compile(rb"<\x00?!\x00?(D\x00?O\x00?C|E\x00?N\x00?T)", re.IGNORECASE)
SAMPLE_DATE = "2026-03-02"  # a Monday with no bank holiday near it


@dataclass(frozen=True)
class Diagram:
    """A parsed, validated diagram: the spec objects the runtime needs, built once."""

    process_id: str
    name: str
    xml: str
    content_hash: str
    spec: object
    subprocess_specs: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what was read from another modeller's conventions


def safe_tree(xml: bytes):
    """The XML tree of an upload, refusing what is too big, entities and DOCTYPEs."""
    if len(xml) > MAX_DIAGRAM_BYTES:
        raise InvalidDiagram([f"the file is larger than {MAX_DIAGRAM_BYTES // 1024} KB"])
    if DECLARATIONS.search(xml):
        raise InvalidDiagram(
            [
                "a DOCTYPE is not allowed in a diagram: entity declarations can read files "
                "on the server or expand into gigabytes"
            ]
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidDiagram([refusals.xml_syntax(exc)]) from exc
    if root.getroottree().docinfo.doctype:
        raise InvalidDiagram(["a DOCTYPE is not allowed in a diagram"])
    return root


def parse(
    xml: bytes | str, filename: str = "diagram.bpmn", form_exists=None, start_as=None
) -> Diagram:
    """Parse and validate one diagram file; raise `InvalidDiagram` listing every problem.

    Any failure while reading a diagram becomes a listed problem: a file from another tool
    that the parser trips over is refused with a reason, never a crash. A file in any
    declared encoding is read, and kept as UTF-8.
    """
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = safe_tree(raw)
    adapted = foreign_diagrams.adapt(root)
    if adapted.problems:
        raise InvalidDiagram(adapted.problems)
    if adapted.changed or (root.getroottree().docinfo.encoding or "").upper() != "UTF-8":
        raw = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    specs = spec_reading.read(root, filename)
    problems = specs.problems + diagram_checks.dead_ends_and_orphans(root)
    if specs.spec is None:
        raise InvalidDiagram(problems)
    process_id, spec, subprocess_specs = specs.process_id, specs.spec, specs.subprocess_specs
    _apply_document_lanes(root, [spec, *subprocess_specs.values()])
    problems += _too_long(
        "the process",
        process_id,
        (
            (process_id, ProcessVersion.process_id, "id"),
            (spec.description or process_id, ProcessVersion.name, "name"),
        ),
    )
    # Elements already refused were set aside to read the rest: not checked any further.
    set_aside = {getattr(p, "element", None) for p in specs.problems} - {None}
    for each in [spec, *subprocess_specs.values()]:
        problems += [p for p in check_spec(each, form_exists) if p.element not in set_aside]
    # Names are checked on a deploy or a check (not a stored version read again), and only
    # once nothing is set aside: a name set in a refused step would read as unknown later.
    if form_exists is not None and not set_aside:
        all_specs = [spec, *subprocess_specs.values()]
        fields_of = getattr(form_exists, "fields", None)  # a FormSource: the versions to pin
        problems += name_checks.check(
            process_id, all_specs, raw.decode("utf-8", "replace"), fields_of, start_as
        )
    if problems:
        raise InvalidDiagram(problems)
    return Diagram(
        process_id=process_id,
        name=spec.description or process_id,
        xml=raw.decode("utf-8"),
        content_hash=hashlib.sha256(raw).hexdigest(),
        spec=spec,
        subprocess_specs=subprocess_specs,
        notes=tuple(adapted.notes),
    )


def _apply_document_lanes(root, specs) -> None:
    """Give every task the lane the document puts it in, inside subprocesses too.

    SpiffWorkflow hands the tasks of an embedded subprocess the subprocess's own lane, so a
    subprocess spanning several lanes would put every step in one role's inbox.
    """
    lanes = {
        ref.text.strip(): ref.getparent().get("name")
        for ref in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}flowNodeRef")
        if ref.text
    }
    for spec in specs:
        for task_spec in spec.task_specs.values():
            lane = lanes.get(getattr(task_spec, "bpmn_id", None) or "")
            if lane:
                task_spec.lane = lane


def check_spec(spec, form_exists: Callable[[str], bool] | None = None) -> list[str]:
    """Every problem that would otherwise surface at run time, found before deploy."""
    problems: list[str] = []
    for task_spec in spec.task_specs.values():
        element = getattr(task_spec, "bpmn_id", None)
        found = _check_task_spec(task_spec, form_exists)
        problems += [Problem(p, element) for p in found]
    return problems


def _check_task_spec(task_spec, form_exists) -> list[str]:
    problems: list[str] = []
    where = f"“{getattr(task_spec, 'bpmn_name', None) or task_spec.name}” ({task_spec.name})"
    if getattr(task_spec, "manual", False):
        problems += _check_user_task(task_spec, where, form_exists)
    for attribute, what in (
        ("script", "script"),
        ("prescript", "pre-script"),
        ("postscript", "post-script"),
    ):
        script = getattr(task_spec, attribute, None)
        if isinstance(script, str) and script.strip():
            problems += _compiles(expressions.compile_script, script, where, what)
    for condition, _target in getattr(task_spec, "cond_task_specs", []):
        if condition is not None:
            problems += _compiles(
                expressions.compile_expression, condition.args[0], where, "condition"
            )
    event = getattr(task_spec, "event_definition", None)
    if isinstance(event, TimerEventDefinition):
        problems += _check_timer(event, where)
    return problems


def _check_user_task(task_spec, where, form_exists) -> list[str]:
    problems = []
    props = task_spec.extensions.get("properties", {}) if task_spec.extensions else {}
    if task_spec.lane and roles.role_for_lane(task_spec.lane) is None:
        problems.append(f"{where}: lane “{task_spec.lane}” is not one of the product's roles")
    if not task_spec.lane:
        problems.append(f"{where}: a user task must sit in a lane (the role that does it)")
    form_key = props.get("formKey")
    if not form_key:
        problems.append(f"{where}: a user task needs a formKey property")
    elif form_exists is not None and not form_exists(form_key):
        problems.append(f"{where}: no form definition for formKey “{form_key}”")
    for name in ("assignee", "title"):
        if props.get(name):
            problems += _compiles(expressions.compile_expression, props[name], where, name)
    stored = [(getattr(task_spec, "bpmn_id", None) or task_spec.name, HumanTask.task_spec, "id")]
    if not props.get("title"):  # a title expression's value is cut to fit when it runs
        stored.append((task_spec.bpmn_name or "", HumanTask.title, "name"))
    problems += _too_long(where, None, stored)
    if props.get("dueDate"):
        try:
            value = sample_evaluate(props["dueDate"])
            date.fromisoformat(str(value))
        except Exception as exc:  # noqa: BLE001 - reported as a validation problem
            problems.append(f"{where}: dueDate “{props['dueDate']}” does not give a date ({exc})")
    return problems


def _too_long(where: str, element: str | None, stored) -> list[str]:
    """Ids and names are kept in bounded columns: found here, not when a step runs."""
    return [
        Problem(f"{where}: the {what} is longer than {limit(column)} characters", element)
        for value, column, what in stored
        if len(value or "") > limit(column)
    ]


ISO_LITERAL = re.compile(r"^(R\d*/)?P[0-9WDTHMSY.]+$|^\d{4}-\d{2}-\d{2}(T[0-9:.+Z-]+)?$")


def _check_timer(event, where) -> list[str]:
    text = event.expression.strip()
    if ISO_LITERAL.match(text):
        return [
            f'{where}: timer “{text}” fails on sample data: write it in quotes ("{text}"); '
            "timer fields are expressions here, so a bare value is read as a variable name"
        ]
    try:
        value = sample_evaluate(event.expression)
        if isinstance(event, DurationTimerEventDefinition | CycleTimerEventDefinition):
            if not isinstance(value, str) or not value.upper().startswith(("P", "R")):
                raise ValueError(f"gave {value!r}, not an ISO 8601 duration or cycle")
        else:
            moment = datetime.fromisoformat(str(value))
            if moment.tzinfo is None:
                raise ValueError(f"gave {value!r} without a UTC offset")
    except Exception as exc:  # noqa: BLE001 - reported as a validation problem
        return [f"{where}: timer “{event.expression}” fails on sample data: {exc}"]
    return []


def _compiles(compile_fn, source, where, what) -> list[str]:
    try:
        compile_fn(source)
    except (expressions.ExpressionError, SyntaxError) as exc:
        return [f"{where}: {what} does not compile: {exc}"]
    mode = "exec" if compile_fn is expressions.compile_script else "eval"
    unknown = vocabulary.LANGUAGE.unknown_calls(source, mode)
    if unknown:
        names = ", ".join(f"{name}()" for name in unknown)
        return [f"{where}: {what} calls {names}, which diagrams cannot use"]
    return []


def sample_evaluate(expression: str):
    """Evaluate with every free name bound to a sample date: enough to prove a date expression."""
    tree = ast.parse(expression.strip(), mode="eval")
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    sample = {n: SAMPLE_DATE for n in names if n not in vocabulary.LANGUAGE.reserved}
    return vocabulary.LANGUAGE.environment().evaluate(expression, sample)


def deploy(
    session: Session,
    diagram: Diagram,
    deployed_by: str,
    deployed_by_id=None,
    now: datetime | None = None,
    comment: str = "",
    forms_source: form_versions.FormSource | None = None,
) -> tuple[ProcessVersion, bool]:
    """Store the diagram as a new version unless it is the latest version already.

    Going back to an earlier content makes a new version: the latest is always what starts.
    The version pins the forms its tasks use as `forms_source` gives them (by default each
    form's newest deployed version, else its file); a change of form alone is a new version.
    """
    source = forms_source or form_versions.FormSource(session)
    keys = form_versions.form_keys_of(diagram)
    latest = latest_version(session, diagram.process_id)
    if (
        latest is not None
        and latest.content_hash == diagram.content_hash
        and form_versions.pinned_hashes(session, latest.id) == form_versions.wanted(source, keys)
    ):
        return latest, False
    version = ProcessVersion(
        process_id=diagram.process_id,
        number=(latest.number if latest is not None else 0) + 1,
        name=diagram.name,
        content_hash=diagram.content_hash,
        bpmn_xml=diagram.xml,
        deployed_by=deployed_by,
        deployed_by_id=deployed_by_id,
        comment=comment,
    )
    if now is not None:
        version.deployed_at = now
    session.add(version)
    session.flush()
    form_versions.pin(session, source, version.id, keys, deployed_by, now)
    return version, True


class SpecCache:
    """Parsed specs per version id, shared by every request in the process."""

    def __init__(self):
        self._by_version: dict[int, Diagram] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, version_id: int) -> Diagram:
        diagram = self._by_version.get(version_id)
        if diagram is not None:
            return diagram
        version = session.get(ProcessVersion, version_id)
        if version is None:
            raise NotFound(f"No diagram version {version_id}.")
        diagram = parse(version.bpmn_xml.encode("utf-8"), f"{version.process_id}.bpmn")
        with self._lock:
            self._by_version.setdefault(version_id, diagram)
        return self._by_version[version_id]
