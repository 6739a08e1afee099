"""Answers: passages built around ranked sentences, copies shown once, citations, and the frozen
value objects every layer returns."""
