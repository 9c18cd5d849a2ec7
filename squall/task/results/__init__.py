"""Results and statistics: value streams and histograms, the statistics table, and their wire form."""
