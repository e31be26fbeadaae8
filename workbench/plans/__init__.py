"""Payment plans: the schedule (pure), tracking of payments, and the plan services."""
