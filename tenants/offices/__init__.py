"""Offices: the office row, its administration, platform operators, provisioning from plugins."""
