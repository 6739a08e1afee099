"""The one compiled part: the BM25 query kernel. Optional: without a C compiler the install still
succeeds and index/search/bm25.py uses its numpy code instead (slower, same results). No fused
multiply-add: each weight must round exactly as numpy's (and rank-bm25's) operations do."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "index.search._kernel",
            ["index/search/_kernel.c"],
            optional=True,
            extra_compile_args=["-O2", "-ffp-contract=off"],
            libraries=["m"],
        )
    ]
)
