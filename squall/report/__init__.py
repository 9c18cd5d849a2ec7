"""Reports people look at: the self-contained HTML task report and its data."""
