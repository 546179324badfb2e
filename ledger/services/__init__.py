"""The service layer: every write path (API, import, CLI, admin panel) goes through here.

A service validates the whole input (collecting every problem), checks it against the
database, and writes inside one transaction it owns — or writes nothing.
"""
