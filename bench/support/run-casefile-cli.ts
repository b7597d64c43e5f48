// Runs the casefile CLI from source (for benchmarks that start `casefile bot` / `casefile worker`).
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv);
