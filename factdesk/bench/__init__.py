"""Filling and measuring a desk at scale (DESIGN.md §9)."""
