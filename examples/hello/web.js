// A tiny web server on $PORT that greets with $GREETING.
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 5000);
const server = createServer((req, res) => {
  console.log(`${req.method} ${req.url}`);
  res.end(`${process.env.GREETING} (${process.env.PS})\n`);
});
server.listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));
process.on("SIGTERM", () => {
  console.log("stopping");
  server.close(() => process.exit(0));
});
