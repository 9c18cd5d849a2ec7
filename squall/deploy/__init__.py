"""Environment nodes, deployment graphs and their per-node history."""
