/**
 * Bluetooth LE on Linux: noble talks raw HCI, which needs an adapter that is present and powered (rfkill or a
 * desktop's toggle turns it off) and, unless Fieldline runs as root, CAP_NET_RAW and CAP_NET_ADMIN on the Node (or
 * Electron) binary.
 */
import { listed, notThisOs, pass, skip, warn, type CheckDefinition } from './check';
import type { BluetoothProbes } from './probes';

const SETCAP = 'sudo setcap cap_net_raw,cap_net_admin+eip "$(readlink -f "$(command -v node)")" (for the app: its executable)';

export function bluetoothChecks(probes: BluetoothProbes): CheckDefinition[] {
  const adapters = async (): Promise<string | { names: string[]; off: string[]; unknown: string[] }> => {
    const platform = await probes.platform();
    if (platform !== 'linux') return platform;
    const found = await probes.bluetoothAdapters();
    return { names: found.map((a) => a.name), off: found.filter((a) => a.powered === false).map((a) => a.name), unknown: found.filter((a) => a.powered === null).map((a) => a.name) };
  };
  return [
    {
      id: 'bluetooth.adapter',
      title: 'Bluetooth adapter present and powered',
      async run() {
        const seen = await adapters();
        if (typeof seen === 'string') return notThisOs('Linux', seen);
        if (seen.names.length === 0) return warn('no Bluetooth adapter: Bluetooth LE gateways cannot be reached (USB gateways can)', 'plug in a Bluetooth 4.0+ adapter (or use USB)');
        if (seen.off.length > 0) return warn(`${listed(seen.off)} is powered off`, 'rfkill unblock bluetooth && bluetoothctl power on');
        if (seen.unknown.length > 0) return pass(`${listed(seen.names)} present (whether it is powered could not be told: no bluetoothctl)`);
        return pass(`${listed(seen.names)} present and powered`);
      },
    },
    {
      id: 'bluetooth.capabilities',
      title: 'Raw HCI access for Bluetooth LE (capabilities)',
      async run() {
        const seen = await adapters();
        if (typeof seen === 'string') return notThisOs('Linux', seen);
        const caps = await probes.capabilities();
        // Capabilities, not the uid: root in a container may lack them.
        if (caps.netRaw && caps.netAdmin) return pass(`this process has CAP_NET_RAW and CAP_NET_ADMIN${caps.root ? ' (running as root)' : ''}`);
        const lacking = [caps.netRaw ? '' : 'CAP_NET_RAW', caps.netAdmin ? '' : 'CAP_NET_ADMIN'].filter(Boolean).join(' and ');
        if (seen.names.length === 0) return skip(`no adapter to use (this process also lacks ${lacking})`, SETCAP);
        return warn(`this process lacks ${lacking}: scanning for Bluetooth LE gateways is refused`, SETCAP);
      },
    },
  ];
}
