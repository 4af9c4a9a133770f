"""A parallel join inside a loop, as SpiffWorkflow 3.2 gets it wrong (the version is pinned
<3.3 in pyproject.toml).

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
