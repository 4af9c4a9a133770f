"""Parallel joins: one inside a loop, as SpiffWorkflow 3.2 gets it wrong (the version is pinned
<3.3 in pyproject.toml), and a join to re-arm after a supervisor's move back (`rewait`).

When both branches of a parallel block arrive, 3.2 cancels the join instance of the branch that
arrived first and lets the other fire. On the next round of a loop around the block (a file the
approver returned, a photo the centre refused), the cancelled instance of the earlier round is
neither an ancestor nor a descendant of the new one, and its parent step is completed: 3.2
counts it as a token already arrived, so approval became ready before the capture was redone.
This is 3.2's own check (ParallelGateway._check_threshold_unstructured) with the instances
cancelled by an earlier round's join left out; tests/workflows/test_one_visit.py walks the loops.
"""

from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.util.task import TaskState


def _check_threshold_unstructured(self, my_task):
    tasks = my_task.workflow.get_tasks(spec_name=self.name)
    # The joins of earlier rounds this one comes after (in a loop): an instance cancelled in
    # such a round is spent (it does not descend from the last of them). One cancelled in this
    # round by a join that is no longer there (a move back dropped it) still holds its token.
    behind = [t for t in tasks if my_task.is_descendant_of(t)]
    tasks = [
        t
        for t in tasks
        if not (t.state == TaskState.CANCELLED and any(not t.is_descendant_of(b) for b in behind))
    ]
    waiting_inputs = set(self.inputs)

    def remove_ancestor(task):
        if task.task_spec in waiting_inputs:
            waiting_inputs.remove(task.task_spec)
        elif task.parent is not None:
            remove_ancestor(task.parent)

    for task in tasks:
        if task.is_descendant_of(my_task):
            remove_ancestor(task)  # the first round: this one comes after the join
        elif my_task.is_descendant_of(task):
            continue  # an earlier round's join, behind us in the loop
        elif task.parent.state == TaskState.COMPLETED and task.parent.task_spec in waiting_inputs:
            waiting_inputs.remove(task.parent.task_spec)
    return len(waiting_inputs) == 0


ParallelGateway._check_threshold_unstructured = _check_threshold_unstructured


def rewait(wf, target, reset) -> None:
    """After a move back inside one branch of a parallel block: a join downstream of the step
    that already fired (the other branch arrived last, so what followed it hangs under that
    branch, not under the moved-to step) is reset, so it waits again for the branch being redone
    and what followed it (approval...) is dropped. The other branch's work stays done. A step
    inside a called process reaches on through its call activity; a join of an earlier round (an
    ancestor of the moved-to step, in a loop) is left alone."""
    chain = [target]
    while chain[-1].workflow is not wf:
        chain.append(wf.get_task_from_id(chain[-1].workflow.parent_task_id))
    reachable = set().union(*(_downstream(t.task_spec) for t in chain))
    for task in list(wf.get_tasks(state=TaskState.COMPLETED)):
        if (
            task.task_spec in reachable
            and isinstance(task.task_spec, ParallelGateway)
            and len(task.task_spec.inputs) > 1
            and task.id in task.workflow.tasks
            and not any(t.is_descendant_of(task) for t in chain)
        ):
            reset(wf, task)


def _downstream(spec) -> set:
    """Every task spec reachable from `spec` along its outputs (loops included)."""
    seen, todo = set(), list(spec.outputs)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(current.outputs)
    return seen
