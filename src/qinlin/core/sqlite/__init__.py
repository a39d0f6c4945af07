"""Django's SQLite backend with one safeguard more for busy moments (base.py)."""
