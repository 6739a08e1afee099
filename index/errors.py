"""Errors the retrieval core reports to a user as one line."""


class VerbatimError(Exception):
    """A problem a user can fix; its message is one line that says how."""


class QuestionError(VerbatimError):
    """The question cannot be asked (empty or blank)."""


class DocumentsError(VerbatimError):
    """The documents folder is missing, not a folder, or holds no readable document."""
