// The shop's worker: takes jobs from Redis one at a time and marks their orders done in PostgreSQL.
// A job is moved (BLMOVE) to this worker's own in-progress list and removed when its order is
// done, so a job taken just before a stop or a crash is not lost: it is put back in the queue
// when this worker (the same PS, worker.1) starts again. Marking an order done is idempotent.
import { connectDatabase, migrate } from "./db.js";
import { connectRedis, inProgress, QUEUE } from "./queue.js";

const name = process.env.PS ?? "worker";
const mine = inProgress(name);

// SIGTERM (parity's stop signal): finish the job at hand, then stop.
let stopping = false;
let stop = () => process.exit(0); // still starting: nothing to finish
process.once("SIGTERM", () => stop());

const pool = connectDatabase();
await migrate(pool);
const redis = await connectRedis();
// A blocked BLMOVE holds its connection: the wait gets a connection of its own.
const waiter = redis.duplicate();
waiter.on("error", (err) => console.error(`redis: ${err.message}`));
await waiter.connect();

stop = () => {
  stopping = true;
  waiter.destroy(); // ends the wait at once; a job it took meanwhile stays in `mine`
};

let recovered = 0;
while ((await redis.lMove(mine, QUEUE, "RIGHT", "LEFT")) !== null) recovered++;
if (recovered > 0) console.log(`${name} put ${recovered} unfinished job(s) back in the queue`);
console.log(`${name} waiting for jobs`);

let done = 0;
while (!stopping) {
  let job;
  try {
    job = await waiter.blMove(QUEUE, mine, "LEFT", "RIGHT", 0);
  } catch (err) {
    if (stopping) break;
    throw err;
  }
  if (job === null) continue;
  const order = orderOf(job);
  if (order === undefined) {
    console.error(`dropping a job that names no order: ${job}`);
    await redis.lRem(mine, 1, job);
    continue;
  }
  const { rowCount } = await pool.query(
    "UPDATE orders SET status = 'done', done_at = now(), done_by = $2 WHERE id = $1 AND status = 'pending'",
    [order, name],
  );
  await redis.lRem(mine, 1, job);
  done++;
  console.log(rowCount === 1 ? `order ${order} done` : `order ${order} was already done`);
}

await Promise.allSettled([pool.end(), redis.close()]);
console.log(`${name} stopped after ${done} job(s)`);
process.exit(0);

/** The order id in a job ({"order": 1}), or undefined. */
function orderOf(job) {
  try {
    const { order } = JSON.parse(job);
    return Number.isSafeInteger(order) ? order : undefined;
  } catch {
    return undefined;
  }
}
