/** Says once, where the run's output is read, what will be skipped and why (the list reporter hides reasons). */
import { electronBinary } from './electron-binary';
import { chromiumMissing } from './support/chromium';

export default function globalSetup(): void {
  const binary = electronBinary();
  if (!binary.path) process.stdout.write(`Electron tests will be skipped: ${binary.reason}\n`);
  const chromium = chromiumMissing();
  if (chromium) process.stdout.write(`web tests will fail: ${chromium}\n`);
}
