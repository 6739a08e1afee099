"""Search: the Index and its ask flow, BM25 (with the compiled kernel), the shortlist, the learned
ranker and its features, synonyms, typos, follow-ups and question types."""
