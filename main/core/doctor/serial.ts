/**
 * Serial ports on Linux: the first hour on a new laptop goes to these. The port is 0660 root:dialout, so the user
 * must be in dialout in this session (usermod takes effect at the next log-in); ModemManager sends AT commands to
 * every new CDC-ACM port unless udev marks it ID_MM_DEVICE_IGNORE (our rule does, for the gateway vendors), which
 * corrupts the SMP stream; brltty (Ubuntu) claims CH340 and FTDI bridges as braille displays; and a port another
 * process holds open cannot be locked.
 */
import { fail, listed, notThisOs, once, pass, warn, type CheckDefinition } from './check';
import type { SerialProbes } from './probes';

export const UDEV_RULE_NAME = '99-fieldline.rules';
const INSTALL_RULE = `sudo cp resources/udev/${UDEV_RULE_NAME} /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger`;
const RELOAD_RULES = 'sudo udevadm control --reload && sudo udevadm trigger, then unplug and replug the gateway';

const onLinux = async (probes: Pick<SerialProbes, 'platform'>): Promise<string | undefined> => {
  const platform = await probes.platform();
  return platform === 'linux' ? undefined : platform;
};

export function serialChecks(probes: SerialProbes): CheckDefinition[] {
  // Two checks read each: the rule files and the /sys scan are done once.
  const udevRule = once(() => probes.udevRule());
  const gatewayPorts = once(() => probes.gatewayPorts());
  return [
    {
      id: 'serial.access',
      title: 'Serial port permission (dialout group)',
      async run() {
        const other = await onLinux(probes);
        if (other) return notThisOs('Linux', other);
        const me = await probes.identity();
        if (me.uid === 0) return pass('running as root: every serial port opens (a technician’s account needs the dialout group)');
        if (me.sessionGroups.includes('dialout')) return pass(`${me.user} is in the dialout group`);
        const fix = `sudo usermod -aG dialout ${me.user}, then log out and in`;
        if (me.dialoutMembers === null) return fail('this system has no dialout group, so serial ports are root’s only', `install resources/udev/${UDEV_RULE_NAME} after creating the group: sudo groupadd dialout && ${fix}`);
        if (me.dialoutMembers.includes(me.user)) return fail(`${me.user} was added to dialout, but not in this session`, 'log out and in (or start a shell with: newgrp dialout)');
        return fail(`${me.user} is not in the dialout group: opening a gateway’s port is denied`, fix);
      },
    },
    {
      id: 'serial.udev-rule',
      title: `udev rule ${UDEV_RULE_NAME}`,
      async run() {
        const other = await onLinux(probes);
        if (other) return notThisOs('Linux', other);
        const [rule, ports] = await Promise.all([udevRule(), gatewayPorts()]);
        if (rule.installed === null) return warn('not installed: gateway ports are not marked for ModemManager to ignore', INSTALL_RULE);
        if (rule.current === false) return warn(`${rule.installed} differs from the one Fieldline ships (an older copy?)`, INSTALL_RULE);
        const unmarked = ports.filter((p) => p.mmIgnore === false).map((p) => p.path);
        if (unmarked.length > 0) return warn(`installed at ${rule.installed}, but not applied to ${listed(unmarked)} (not loaded since it was installed)`, RELOAD_RULES);
        return pass(`installed at ${rule.installed}${ports.length > 0 ? ` and applied to ${listed(ports.map((p) => p.path))}` : ''}`);
      },
    },
    {
      id: 'serial.modemmanager',
      title: 'ModemManager leaves gateways alone',
      async run() {
        const other = await onLinux(probes);
        if (other) return notThisOs('Linux', other);
        const [running, ports, rule] = await Promise.all([probes.processes(), gatewayPorts(), udevRule()]);
        if (!running.includes('ModemManager')) return pass('ModemManager is not running');
        const probed = ports.filter((p) => p.mmIgnore !== true).map((p) => p.path);
        if (probed.length > 0) {
          return fail(
            `ModemManager is running and not told to ignore ${listed(probed)} (ID_MM_DEVICE_IGNORE unset): its AT commands corrupt the SMP stream`,
            rule.installed ? RELOAD_RULES : INSTALL_RULE,
          );
        }
        if (rule.installed && rule.current !== false) return pass(`ModemManager is running; ${UDEV_RULE_NAME} tells it to ignore the gateway vendors`);
        return warn('ModemManager is running and nothing tells it to ignore gateways (ID_MM_DEVICE_IGNORE): it will probe the next one plugged in', `${INSTALL_RULE} (or: sudo systemctl disable --now ModemManager)`);
      },
    },
    {
      id: 'serial.brltty',
      title: 'brltty does not claim USB-serial adapters',
      async run() {
        const other = await onLinux(probes);
        if (other) return notThisOs('Linux', other);
        const found = (await probes.executables(['brltty']))['brltty'];
        if (!found) return pass('brltty is not installed');
        return warn(`brltty is installed (${found}): on Ubuntu it claims CH340 and FTDI adapters as braille displays, and their port disappears`, 'sudo apt remove brltty (unless a braille display is used on this machine)');
      },
    },
    {
      id: 'serial.port-holders',
      title: 'Serial ports not held by another process',
      async run() {
        const other = await onLinux(probes);
        if (other) return notThisOs('Linux', other);
        const holders = await probes.portHolders();
        if (holders.length === 0) return pass('no other process holds a serial port open');
        const named = holders.map((h) => `${h.port} by ${h.process} (pid ${h.pid})`);
        return warn(`held open: ${listed(named)} — Fieldline cannot lock these ports`, `close that program, or stop it: kill ${[...new Set(holders.map((h) => h.pid))].join(' ')}`);
      },
    },
  ];
}
