"""Tools around the core: the command line (`python -m index`), evaluation, ranker training and
the benchmarks."""
