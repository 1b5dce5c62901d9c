/**
 * Jest's test order, with the files known to run longest started first. Jest orders by the
 * durations of earlier runs, which a clean machine (CI) does not have: it then starts the largest
 * files first, and the deploy rehearsal, the longest by far, waited minutes for a free worker
 * while short suites ran. Files not listed keep Jest's order, after the listed ones.
 */
const Sequencer = require("@jest/test-sequencer").default;

/** Longest first, as measured on two cores with three workers (the npm installs of consumer-app, testssl.sh, the live suites that wait for bans and queues). */
const LONGEST_FIRST = [
  "test/integration/rehearsal/deploy-rehearsal.test.ts",
  "test/integration/consumer-app.test.ts",
  "test/integration/live/tls-details.test.ts",
  "test/integration/postfix-dovecot-accept.test.ts",
  "test/integration/live/group-brake.test.ts",
  "test/integration/live/brute-force.test.ts",
  "test/integration/cloud-init-schema.test.ts",
  "test/integration/injection.property.test.ts",
  "test/integration/opendkim-nginx-config.test.ts",
  "test/integration/terraform-validate.test.ts",
];

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const index = LONGEST_FIRST.findIndex((path) => test.path.endsWith(path));
      return index < 0 ? LONGEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: unlisted files keep Jest's own order.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirstSequencer;
