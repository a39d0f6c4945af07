"""`qinlin generate`: a deterministic city-scale dataset, written in bulk (see run.py)."""
