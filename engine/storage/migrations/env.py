"""Alembic environment: run with the connection that engine.storage.migrate hands over."""

from alembic import context

from engine.storage.base import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through engine.storage.migrate
    raise RuntimeError("run the caseload migrations through `arrangeur caseload migrate`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table="caseload_alembic_version",
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
