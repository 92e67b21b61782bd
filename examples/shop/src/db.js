// PostgreSQL: the connection pool (DATABASE_URL) and the schema, created on start-up if missing.
import pg from "pg";

/** A pool on DATABASE_URL; errors of idle connections (a server restart) are logged, not fatal. */
export function connectDatabase() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (see .env.development)");
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 5000 });
  pool.on("error", (err) => console.error(`postgres: ${err.message}`));
  return pool;
}

/**
 * Creates the schema if it is missing. web and worker both call it when they start: the advisory
 * lock makes them take turns (two concurrent CREATE TABLE IF NOT EXISTS can still collide).
 */
export async function migrate(pool) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext('shop schema'))");
    await client.query(`
      CREATE TABLE IF NOT EXISTS orders (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        item text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        done_by text
      )`);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
