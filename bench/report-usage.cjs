// Preloaded into every benchmarked process: at exit, write its peak resident memory (KiB) and the
// CPU time it used (user + system, microseconds) to BENCH_USAGE_FILE, so the harness reads the
// app's own figures, not a wrapper's.
const { writeFileSync } = require("fs");
process.on("exit", () => {
  if (!process.env.BENCH_USAGE_FILE) return;
  const usage = process.resourceUsage();
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMicroseconds: usage.userCPUTime + usage.systemCPUTime }));
});
