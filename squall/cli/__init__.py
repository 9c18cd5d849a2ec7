"""The ``squall`` command line: thin commands over :class:`squall.api.API`."""
