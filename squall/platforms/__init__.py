"""Platforms that are more than one plugin: each folder holds a platform's clients, resources,
cleanup, contexts and scenarios (``openstack/``). The registry imports every module here, as it
does ``squall/plugins/``."""
