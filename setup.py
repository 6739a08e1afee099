"""The compiled parts, both optional: without a C compiler the install still succeeds and the
Python code does the same, slower, with the same results. The BM25 query kernel (else
index/search/bm25.py's numpy code): no fused multiply-add, each weight must round exactly as
numpy's (and rank-bm25's) operations do. The PDF reader's per-line PDFium calls (else
index/read/formats/pdf/calls.py's `Measure`)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "index.search._kernel",
            ["index/search/_kernel.c"],
            optional=True,
            extra_compile_args=["-O2", "-ffp-contract=off"],
            libraries=["m"],
        ),
        Extension(
            "index.read.formats.pdf._measure",
            ["index/read/formats/pdf/_measure.c"],
            optional=True,
            extra_compile_args=["-O2", "-ffp-contract=off"],
        ),
    ]
)
