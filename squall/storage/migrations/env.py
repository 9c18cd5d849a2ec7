"""Alembic environment: runs migrations on the connection squall hands over."""

from alembic import context

from squall.storage.models import metadata

connection = context.config.attributes.get("connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
