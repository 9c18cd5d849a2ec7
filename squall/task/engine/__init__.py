"""squall's process while a task runs: the engine, the consumer of results, SLA checking, contexts, hooks, the
task's lifecycle and its live metrics."""
