/**
 * The tools the virtual gateways and the UI tests need: socat makes the virtual gateways' pseudo-terminals, and the
 * Playwright tests launch Debian's Chromium. Neither is needed to provision real gateways, so each is a warning.
 */
import { pass, warn, type CheckDefinition } from './check';
import type { ToolProbes } from './probes';

export function toolChecks(probes: ToolProbes): CheckDefinition[] {
  return [
    {
      id: 'tools.socat',
      title: 'socat (virtual gateways)',
      async run() {
        const found = (await probes.executables(['socat']))['socat'];
        return found ? pass(`socat at ${found}`) : warn('socat is not installed: fieldline sim cannot make virtual gateways', 'sudo apt-get install -y socat');
      },
    },
    {
      id: 'tools.chromium',
      title: 'Chromium (UI tests)',
      async run() {
        const found = await probes.chromium();
        return found ? pass(`Chromium at ${found}`) : warn('no Chromium: the Playwright UI tests cannot run', 'sudo apt-get install -y chromium (or set FIELDLINE_CHROMIUM to a Chromium build)');
      },
    },
  ];
}
