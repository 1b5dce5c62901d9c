/** Before any test process starts: this run's temporary directory (see support/run-temporary-directory). */
import { enterRunDirectory } from "./support/run-temporary-directory";

export default function globalSetup(): void {
  enterRunDirectory();
}
