"""The HTTP API (Litestar): controllers translate requests to service calls and back."""
