// commander, as main.ts loads it: on its own (a lazy bundle in the CLI), only when the arguments
// are not a common form of `parity start` (start-args.ts).
export { Command, CommanderError } from "commander";
