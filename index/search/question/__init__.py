"""What a question asks: its language and words (reading.py, words.py), its type and the answer
to mark (answers.py), its typos (typos.py), and the conversation it leans on (followups.py)."""
