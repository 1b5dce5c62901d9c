/** After the last test: remove this run's temporary directory and all the tests left in it. */
import { leaveRunDirectory } from "./support/run-temporary-directory";

export default function globalTeardown(): void {
  leaveRunDirectory();
}
