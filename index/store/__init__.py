"""Storage: segments built from analysed documents, written once, named by a commit point; updates
from the folder, global statistics over live segments, and following a folder live."""
