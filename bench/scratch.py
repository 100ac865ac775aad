"""The scratch PostgreSQL database the benchmarks may wipe: BENCH_POSTGRES_URL,
else `lectern_bench` on the local server (created when missing)."""
import os

import sqlalchemy as sa

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def postgres_url() -> str:
    url = os.environ.get("BENCH_POSTGRES_URL")
    if url:
        return url
    admin = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = 'lectern_bench'")):
            conn.execute(sa.text("CREATE DATABASE lectern_bench"))
    admin.dispose()
    return f"{SERVER}/lectern_bench"
