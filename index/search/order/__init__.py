"""Tie-breakers read after the model: change history last, a default asked for first, a document the
question names first."""
