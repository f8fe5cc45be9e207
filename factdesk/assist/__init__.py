"""The desk's helpers (DESIGN.md §12): sentences worth checking, claims checked before, duplicates, and
how well they do on labelled data. They suggest; a person decides."""
