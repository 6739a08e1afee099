"""Reading: walk the documents folder, read each file with its format's reader (PDF and Word in
worker processes), and hand on text with its pages, sections and code units."""
