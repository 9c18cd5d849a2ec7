"""The ``nodes`` platform in one folder: how squall reaches a node (``connection``: local or SSH,
``ssh``), the platform plugin, and the ``fault_injection`` hook that acts on nodes during a load."""
