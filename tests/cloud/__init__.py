"""Tests on a real Keystone + Neutron + Glance cloud, started once for the package."""
