/** Says once, where the run's output is read, why Electron tests are skipped (the list reporter hides reasons). */
import { electronBinary } from './electron-binary';

export default function globalSetup(): void {
  const binary = electronBinary();
  if (!binary.path) process.stdout.write(`Electron tests will be skipped: ${binary.reason}\n`);
}
