"""Why a diagram was refused, in words a process owner reads: the element, then the reason.

The parser and the BPMN schema speak in exception text, Python reprs and library terms
("SubWorkflow Task", "operator", memory addresses). Each known refusal is said again plainly;
anything else is named by its element and called unsupported rather than shown raw.
"""

from __future__ import annotations

import re

from engine.platform.errors import Problem

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

# (pattern in the parser's message, what the owner is told)
PARSER_REFUSALS = (
    (
        r"must specify a cardinality or a loop input",
        "this step repeats for each item of a list but does not name the list: give the "
        "list's variable as its input collection (loopDataInputRef)",
    ),
    (
        r"exactly one of cardinality or loop input",
        "this step says both how many times to repeat and which list to repeat over: keep one",
    ),
    (r"messageRef|Message identifier", "this message event names no message the file defines"),
    (r"dataInputAssociation", "this step reads a data object the file does not define"),
    (r"dataOutputAssociation", "this step writes a data object the file does not define"),
    (
        r"exclusive outgoing sequence flow without condition",
        "this arrow leaves a decision without a condition and is not its default path: give "
        "it a condition or make it the decision's default",
    ),
    (r"start event is required", "a subprocess needs exactly one start event"),
    (r"Must contain an End event", "a subprocess needs an end event"),
    (r"calledElement", "this call activity does not say which process it calls"),
    (r"was not found", "this calls a process that is not in the file"),
    (r"No Script Provided", "this script step has no script"),
    (
        r"Service Task must have an operator",
        "service steps call other systems, which this product does not do: use a script step "
        "or a user task",
    ),
    (r"Unknown Time Specification", "this timer gives neither a date, a duration nor a cycle"),
    (r"Time Specification Error", "this timer's value cannot be read"),
    (r"missing condition", "this conditional event has no condition"),
    (r"no support implemented", "this kind of element is not supported here"),
    (r"No start event found", "the process has no start event"),
    (r"Duplicate process ID", "two processes in the file have the same id"),
    (r"Data Store", "data stores are not supported here"),
    (r"Signal identifier", "this signal event names no signal"),
    (r"Error identifier", "this error event names no error"),
    (r"Escalation identifier", "this escalation event names no escalation"),
    (r"[Cc]orrelation", "message correlations are not supported here"),
    (r"[Aa]d hoc", "this ad hoc subprocess is drawn in a way that cannot run here"),
)
UNSUPPORTED = "this uses something this product cannot run, so the diagram cannot be read"


def label(node_id: str | None, name: str | None, tag: str | None = None) -> str:
    """“Name” (id), or the kind of element and its id when it has no name."""
    if name:
        return f"“{' '.join(name.split())}” ({node_id})"
    kind = describe(tag) if tag else "element"
    return f"the {kind} {node_id}" if node_id else f"a {kind}"


KIND_WORDS = {
    "sequenceFlow": "arrow",
    "exclusiveGateway": "decision",
    "inclusiveGateway": "decision",
    "parallelGateway": "split or join",
}


def describe(tag: str) -> str:
    """`{BPMN}userTask` or `bpmn:userTask` → `user task`; a sequence flow is an arrow."""
    local = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
    if local in KIND_WORDS:
        return KIND_WORDS[local]
    return "".join(f" {c.lower()}" if c.isupper() else c for c in local)


def plain(exc: Exception, root) -> Problem:
    """A parser exception as a Problem naming its element, in plain English."""
    element = getattr(exc, "id", None) or _task_element(exc)
    node = _find(root, element)
    name = getattr(exc, "name", None) or (node.get("name") if node is not None else None)
    tag = getattr(exc, "tag", None) or (node.tag if node is not None else None)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    reason = next((said for pattern, said in PARSER_REFUSALS if re.search(pattern, text)), None)
    where = label(element, name, tag) if element else "the diagram"
    return Problem(f"{where}: {reason or UNSUPPORTED}", element or None)


def not_executable(root) -> Problem:
    """The one process drawn is marked not to run: it can be viewed, and made executable."""
    processes = list(root.iter(f"{BPMN}process"))
    if not processes:
        return Problem("the file has no process: it holds only a drawing")
    first = processes[0]
    return Problem(
        f"the process {label(first.get('id'), first.get('name'), 'process')} is marked as not "
        "executable, so it can be viewed but not run: choose “Make it executable” to run it",
        first.get("id"),
    )


SCHEMA_REFUSALS = (
    (r"This element is not expected", "a “{element}” is not allowed here by the BPMN standard"),
    (
        r"attribute '([^']+)': '([^']*)' is not a valid value of the atomic type 'xs:ID'",
        "“{1}” is not a valid id: an id starts with a letter or underscore and has no spaces",
    ),
    (r"attribute '([^']+)': '([^']*)' is not a valid value", "“{1}” is not a valid {0}"),
    (r"attribute '([^']+)' is not allowed", "a “{element}” cannot have a “{0}”"),
    (r"attribute '([^']+)' is required", "a “{element}” needs a “{0}”"),
    (r"Duplicate key-sequence \['([^']+)'\]", "the id “{0}” is used twice"),
    (r"No match found for key-sequence \['([^']+)'\]", "“{0}” refers to an id that is not here"),
)


def schema(error, root) -> Problem:
    """One BPMN schema error (lxml's error log entry) by line and element, in plain English."""
    match = re.match(r"Element '(?:\{[^}]*\})?([^']+)'", error.message)
    element = match.group(1) if match else "element"
    said = "the file does not follow the BPMN standard here"
    for pattern, template in SCHEMA_REFUSALS:
        found = re.search(pattern, error.message)
        if found:
            said = template.format(*found.groups(), element=element)
            break
    node = _at_line(root, error.line)
    node_id = node.get("id") if node is not None else None
    where = label(node_id, node.get("name"), node.tag) if node_id else f"line {error.line}"
    return Problem(f"{where}: {said}", node_id)


XML_REFUSALS = (
    (
        r"Premature end of data|EndTag: '</' not found",
        "the file ends too early: it may have been cut off",
    ),
    (
        r"Namespace prefix (\S+) (?:on|for) (\S+) (?:on \S+ )?is not defined",
        "“{0}:{1}” uses the prefix “{0}”, which the file never declares: the modeller that "
        "wrote it left out an xmlns:{0} attribute",
    ),
    (r"Opening and ending tag mismatch: (\S+)", "the tag “{0}” is closed with a different name"),
    (r"Start tag expected", "the file is not XML"),
    (r"Document is empty", "the file is empty"),
    (r"(?:Input is not proper UTF-8|encoding)", "the file's characters do not match its encoding"),
)


def xml_syntax(exc) -> Problem:
    """An lxml syntax error as a place in the file and what is wrong there."""
    text = str(getattr(exc, "msg", "") or exc)
    said = "the file is not well-formed XML"
    for pattern, template in XML_REFUSALS:
        found = re.search(pattern, text)
        if found:
            said = template.format(*found.groups())
            break
    line, column = getattr(exc, "position", (None, None)) or (None, None)
    where = f"line {line}, column {column}" if line else "the file"
    return Problem(f"{where}: {said}")


def _task_element(exc: Exception) -> str | None:
    spec = getattr(exc, "task_spec", None)
    return getattr(spec, "bpmn_id", None) if spec is not None else None


def _find(root, element_id):
    if not element_id or root is None:
        return None
    for node in root.iter():
        if isinstance(node.tag, str) and node.get("id") == element_id:
            return node
    return None


def _at_line(root, line: int):
    """The innermost element with an id that starts on `line`, or encloses it."""
    best = None
    for node in root.iter():
        if not isinstance(node.tag, str) or node.sourceline is None:
            continue
        if node.sourceline > line:
            break
        if node.get("id"):
            best = node
    return best
