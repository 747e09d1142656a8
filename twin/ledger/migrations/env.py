"""Alembic environment: runs migrations on the engine twin hands over (``config.attributes``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from twin.ledger.models import Base
from twin.ledger.revision import untracked

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # the alembic CLI: sqlalchemy.url from alembic.ini or -x url=...
        url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
        engine = create_engine(url)
    with engine.begin() as connection, untracked(connection):  # schema changes, not the ledger's contents
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
