"""The one compiled part: the BM25 query kernel. Optional: without a C compiler the install still
succeeds and index/bm25.py uses its numpy code instead (slower, same results)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("index._kernel", ["index/_kernel.c"], optional=True, extra_compile_args=["-O2"])
    ]
)
