"""Byte accounting on the three sides that share Arrow data: the JVM (pj.memory), pyarrow, and
Arrow Java's allocator. Shared by the zero-copy, Arrow and dataset tests."""
import gc
import time

import jpype
import pyarrow as pa

import pyj4 as pj
from pyj4 import _arrow


def accountings():
    """(JVM, pyarrow, Arrow Java) bytes held now, once Python's garbage cycles are collected."""
    gc.collect()
    return pj.memory()["allocated_bytes"], pa.total_allocated_bytes(), _arrow.arrow_java_bytes()


def baseline():
    """accountings() once whatever earlier tests left to the Java GC is gone too. Only the baseline
    waits for the Java GC: what a test itself makes must be released without it."""
    now = None
    for _ in range(50):
        jpype.JClass("java.lang.System").gc()
        time.sleep(0.01)
        last, now = now, accountings()
        if now == last:
            break
    return now
