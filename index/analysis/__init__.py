"""Analysis: text into sentences (Punkt with project-owned parameters), sentences into terms (one
tokenizer for documents and questions), and the flags a sentence's text gives the ranker."""
