// The shop's web process: takes orders over HTTP, stores them in PostgreSQL, queues a job in Redis.
//   POST /orders {"item": "book", "quantity": 2}  → 201 {"id": 1, "status": "pending"}
//   GET /orders/1                                 → 200 the order
//   GET /health                                   → 200 when PostgreSQL and Redis answer, else 503
import { createServer } from "node:http";
import { connectDatabase, migrate } from "./db.js";
import { connectRedis, QUEUE } from "./queue.js";

const port = Number(process.env.PORT ?? 5000);
const host = process.env.HOST ?? "127.0.0.1";
const name = process.env.PS ?? "web";

// SIGTERM (parity's stop signal): finish the requests in flight, then close the connections.
let stop = () => process.exit(0); // still starting: nothing to finish
process.once("SIGTERM", () => stop());

const pool = connectDatabase();
await migrate(pool);
const redis = await connectRedis();

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    console.error(`${req.method} ${req.url}: ${err.message}`);
    if (!res.headersSent) send(res, 500, { error: "internal error" });
  });
});
server.listen(port, host, () => console.log(`${name} listening on http://${host}:${port}`));
stop = () => {
  console.log(`${name} stopping`);
  server.close(async () => {
    await Promise.allSettled([pool.end(), redis.close()]);
    process.exit(0);
  });
};

async function handle(req, res) {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "POST" && url.pathname === "/orders") {
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { error: "the body is larger than 64 KiB" });
    const order = parseOrder(body);
    if (typeof order === "string") return send(res, 400, { error: order });
    const { rows } = await pool.query(
      "INSERT INTO orders (item, quantity) VALUES ($1, $2) RETURNING id, status",
      [order.item, order.quantity],
    );
    const id = Number(rows[0].id); // bigint: pg returns it as text
    const { status } = rows[0];
    await redis.rPush(QUEUE, JSON.stringify({ order: id }));
    console.log(`order ${id} accepted: ${order.quantity} × ${order.item}`);
    res.setHeader("Location", `/orders/${id}`);
    return send(res, 201, { id, status });
  }
  const match = /^\/orders\/(\d+)$/.exec(url.pathname);
  if (req.method === "GET" && match) {
    const { rows } = await pool.query("SELECT * FROM orders WHERE id = $1", [match[1]]);
    if (rows.length === 0) return send(res, 404, { error: `no order ${match[1]}` });
    return send(res, 200, { ...rows[0], id: Number(rows[0].id) });
  }
  if (req.method === "GET" && url.pathname === "/health") {
    const checks = await Promise.allSettled([
      within(1000, pool.query("SELECT 1")),
      within(1000, redis.ping()),
    ]);
    const [postgres, queue] = checks.map((c) =>
      c.status === "fulfilled" ? "ok" : c.reason.message,
    );
    return send(res, postgres === "ok" && queue === "ok" ? 200 : 503, { postgres, redis: queue });
  }
  return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
}

/** The order in a request body, or what is wrong with it. */
function parseOrder(body) {
  let data;
  try {
    data = JSON.parse(body);
  } catch {
    return "the body is not JSON";
  }
  const item = data?.item;
  const quantity = data?.quantity ?? 1;
  if (typeof item !== "string" || item.trim() === "") return "item must be a non-empty string";
  if (!Number.isInteger(quantity) || quantity < 1) return "quantity must be a whole number ≥ 1";
  return { item, quantity };
}

/** The request body as text, or undefined when it is larger than 64 KiB (read to its end). */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size <= 64 * 1024) chunks.push(chunk);
  }
  return size > 64 * 1024 ? undefined : Buffer.concat(chunks).toString("utf8");
}

function send(res, status, data) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(`${JSON.stringify(data)}\n`);
}

/** `promise`, or a rejection after `ms` (a server that is down must not hang the health check). */
function within(ms, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
