from dbfixtures import db  # noqa: F401
