"""A repeated step's earlier rounds are pruned: a looping case stays the same size.

Counted, not timed: the tasks a looping instance's workflow holds and the bytes it saves are
the same at step 100 as at step 5, while the pruned workflow decides exactly what its
unpruned twin decides, restores exactly from what was saved, and a fork stops the pruning.
"""

from __future__ import annotations

import json

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.casework import vocabulary
from engine.models import ProcessInstance
from engine.service import Engine
from engine.workflow import pruning, serialization, task_scan, workflow_reads
from tests.engine.workflow.test_serialization import loop_workflow, ready, same_as_stock
from tests.factories import complete, deploy_test_diagram, make_staff


def step(workflow, n: int, **extra) -> None:
    task = ready(workflow)[0]
    task.set_data(visit=n, stop=False, **extra)
    task.run()
    workflow.do_engine_steps()


def decided(workflow) -> tuple:
    """What decides the next step: the open tasks (element, state, data), the workflow's
    data, and the diagram's highlighting."""
    live = [
        (t.task_spec.name, t.state, t.data)
        for t in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)
    ]
    return live, workflow.data, workflow_reads.element_states(workflow)


def test_a_pruned_loop_decides_what_its_unpruned_twin_decides_and_restores_exactly():
    pruned, whole = loop_workflow(), loop_workflow()
    for n in range(60):
        extra = {"note": {"seen": [n, "alone"]}} if n % 7 == 3 else {}
        step(pruned, n, **extra)
        step(whole, n, **extra)
        dropped = pruning.prune(pruned)
        assert dropped == (3 if n else 1)  # a round: the join, the step and its gateway
        assert decided(pruned) == decided(whole)
        state = same_as_stock(pruned)  # the stock converter writes it, and it loads again
        again = serialization.loads(
            state, pruned.spec, pruned.subprocess_specs, pruned.script_engine
        )
        assert decided(again) == decided(pruned)
        assert serialization.dumps(again) == state
    assert len(pruned.tasks) == 11 < len(whole.tasks) == 189
    for each in (pruned, whole):
        ready(each)[0].set_data(stop=True)
        ready(each)[0].run()
        each.do_engine_steps()
        assert task_scan.is_completed(each)
    assert pruned.data == whole.data
    assert workflow_reads.element_states(pruned) == workflow_reads.element_states(whole)


def test_a_looping_case_holds_and_saves_as_much_at_step_100_as_at_step_5(db, engine, clock):
    staff = make_staff(db)
    deploy_test_diagram(db, "loop")
    instance = engine.start(db, "loop", staff["sw"], {})
    sizes = {}
    for n in range(100):
        clock.advance(minutes=1)
        instance = complete(db, engine, instance.id, "step", staff["sw"], visit=n, stop=False)
        if n + 1 in (5, 100):
            tasks = json.loads(instance.state)["tasks"]
            sizes[n + 1] = (len(tasks), len(instance.state))
    assert sizes[100][0] == sizes[5][0]
    assert sizes[100][1] <= sizes[5][1] + 100  # the visit number's digits, the times
    # another process (a restart, a kill -9) reads the state and carries on from it
    fresh = Engine(clock=clock)
    db.expire_all()
    instance = complete(db, fresh, instance.id, "step", staff["sw"], visit=100, stop=True)
    assert instance.status == "completed"
    assert db.get(ProcessInstance, instance.id).status == "completed"


FORKED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="forked" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>a</bpmn:incoming>
      <bpmn:outgoing>b</bpmn:outgoing><bpmn:outgoing>c</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:exclusiveGateway id="join"><bpmn:incoming>b</bpmn:incoming>
      <bpmn:incoming>e</bpmn:incoming><bpmn:outgoing>d</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="step"><bpmn:incoming>d</bpmn:incoming>
      <bpmn:outgoing>f</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="again" default="e"><bpmn:incoming>f</bpmn:incoming>
      <bpmn:outgoing>e</bpmn:outgoing><bpmn:outgoing>g</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="other"><bpmn:incoming>c</bpmn:incoming>
      <bpmn:outgoing>h</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="merge"><bpmn:incoming>g</bpmn:incoming>
      <bpmn:incoming>h</bpmn:incoming><bpmn:outgoing>i</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="done"><bpmn:incoming>i</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="start" targetRef="split"/>
    <bpmn:sequenceFlow id="b" sourceRef="split" targetRef="join"/>
    <bpmn:sequenceFlow id="c" sourceRef="split" targetRef="other"/>
    <bpmn:sequenceFlow id="d" sourceRef="join" targetRef="step"/>
    <bpmn:sequenceFlow id="e" sourceRef="again" targetRef="join"/>
    <bpmn:sequenceFlow id="f" sourceRef="step" targetRef="again"/>
    <bpmn:sequenceFlow id="g" sourceRef="again" targetRef="merge">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">stop == True
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="h" sourceRef="other" targetRef="merge"/>
    <bpmn:sequenceFlow id="i" sourceRef="merge" targetRef="done"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_nothing_past_a_fork_is_pruned():
    """Parallel branches could need their history (a join looks at its threads): the loop
    in one branch keeps every round, and the instance still finishes."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(FORKED.encode(), "forked.bpmn")
    workflow = BpmnWorkflow(
        parser.get_spec("forked"), script_engine=vocabulary.LANGUAGE.script_engine()
    )
    workflow.do_engine_steps()
    for n in range(5):
        before = len(workflow.tasks)
        task = next(t for t in ready(workflow) if t.task_spec.name == "step")
        task.set_data(visit=n, stop=n == 4)
        task.run()
        workflow.do_engine_steps()
        assert pruning.prune(workflow) == 0
        assert len(workflow.tasks) > before or n == 4
    ready(workflow, "other")[0].run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
