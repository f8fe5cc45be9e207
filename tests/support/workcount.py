"""Counting the work a function does, in steps rather than seconds (DESIGN §10: proportional work).

``python_steps`` counts the lines of Python executed (the desk's code and difflib alike) under a
trace function: deterministic, whatever the machine's load. Work done in C (regular expressions,
``str`` methods, patience diff) does not show here; ``tests/support/regex_steps.py`` counts the former.
"""
from __future__ import annotations

import sys


def python_steps(fn, *args, **kwargs):
    """``(fn(*args, **kwargs), lines of Python executed meanwhile)``."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = fn(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return result, count


