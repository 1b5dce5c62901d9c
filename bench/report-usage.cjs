// Preloaded into every benchmarked process: at exit, write its peak resident memory (KiB) to
// BENCH_USAGE_FILE, so the harness reads the app's own figure, not a wrapper's.
const { writeFileSync } = require("fs");
process.on("exit", () => {
  if (process.env.BENCH_USAGE_FILE) writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
});
