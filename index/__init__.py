"""Verbatim's retrieval core: quote the passages of a folder of documents that answer a question.

from index import open_index
idx = open_index("seeds")            # loads the saved index, or builds it
answer = idx.ask("how many troops will Mexico train?", k=3)
"""

from index.answer.model import Answer, BuildReport, Conversation, Copy, Document, Passage
from index.errors import DocumentsError, QuestionError, VerbatimError
from index.search.opening import open_index
from index.search.searcher import MAX_QUESTION_CHARS, Index

__all__ = [
    "MAX_QUESTION_CHARS",
    "Answer",
    "BuildReport",
    "Conversation",
    "Copy",
    "Document",
    "DocumentsError",
    "Index",
    "Passage",
    "QuestionError",
    "VerbatimError",
    "open_index",
]
