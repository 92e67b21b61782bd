// Redis: the client (REDIS_URL) and the job queue's keys.
import { createClient } from "@redis/client";

/** The list web appends jobs to and workers take them from (oldest first). */
export const QUEUE = "shop:jobs";

/** The list holding the jobs one worker has taken and not finished (moved back when it starts). */
export const inProgress = (worker) => `shop:jobs:${worker}`;

/** A connected client on REDIS_URL; connection errors are logged while it reconnects. */
export async function connectRedis() {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set (see .env.development)");
  const client = createClient({ url });
  client.on("error", (err) => console.error(`redis: ${err.message}`));
  await client.connect();
  return client;
}
