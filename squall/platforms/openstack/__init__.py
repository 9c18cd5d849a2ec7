"""OpenStack support: credentials, per-process clients, resource managers and cleanup.

openstacksdk is imported only when an OpenStack environment is used: it costs
most of a second to import.
"""
