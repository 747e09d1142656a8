"""The twin HTTP service: thin FastAPI routes over :mod:`twin`."""
