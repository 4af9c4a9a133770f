"""Pages of cases: the department inboxes (`inbox`), a task's page with its form, claim, release,
assign and the portrait (`tasks`), the case page with its diagram, comments and transfer (`cases`)."""
