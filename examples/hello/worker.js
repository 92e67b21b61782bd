// A worker that ticks until it is stopped.
const interval = Number(process.env.WORKER_INTERVAL_MS ?? 1000);
let n = 0;
console.log(`worker ${process.env.PS} started`);
const timer = setInterval(() => console.log(`tick ${++n}`), interval);
process.on("SIGTERM", () => {
  clearInterval(timer);
  console.log(`worker ${process.env.PS} done after ${n} ticks`);
  process.exit(0);
});
