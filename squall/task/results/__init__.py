"""Results and statistics: the statistics table, its wire form, and one second of the load in aggregate mode
(the value streams they keep, exact and then HDR histograms, are :class:`squall.plugin_api.Values`)."""
