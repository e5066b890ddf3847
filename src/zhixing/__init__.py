"""Zhixing (执行): case management for a basic court's enforcement bureau."""
