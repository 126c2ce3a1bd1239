"""The declarative base every table maps onto (caseload, jobs, accounts, rule store): one
metadata, so the migrations are compared with all tables at once."""

from __future__ import annotations

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase

# json, not jsonb, on PostgreSQL: it keeps the answer as written, key order included (the
# instruments' order is the engine's); nothing queries inside it
Json = JSON()


class Base(DeclarativeBase):
    pass
