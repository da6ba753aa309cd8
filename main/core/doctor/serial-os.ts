/**
 * Serial checks of the other desktops, written against injected probes and tested here with their answers faked:
 * on any other OS they say "not checked on this OS" rather than guess. Windows needs a vendor driver for the USB-UART
 * bridges (CDC-ACM gateways use Windows' own usbser); macOS names each port twice, and only /dev/cu.* is right for
 * opening (a /dev/tty.* open waits for carrier detect), and a CH34x shows up twice when WCH's old driver sits beside
 * Apple's.
 */
import { listed, notThisOs, pass, skip, warn, type CheckDefinition } from './check';
import type { SerialProbes } from './probes';

/** The bridges and how pnputil names their drivers (original .inf names, or the provider). */
export const WINDOWS_BRIDGE_DRIVERS: readonly { bridge: string; matches: readonly string[]; install: string }[] = [
  { bridge: 'CH340/CH341 (WCH)', matches: ['ch341ser.inf', 'ch343ser.inf', 'wch.cn'], install: 'WCH CH341SER (wch-ic.com)' },
  { bridge: 'CP210x (Silicon Labs)', matches: ['silabser.inf', 'silicon lab'], install: 'Silicon Labs CP210x VCP driver' },
  { bridge: 'FTDI', matches: ['ftdibus.inf', 'ftdiport.inf', 'ftdi'], install: 'FTDI VCP driver (ftdichip.com)' },
];

const USB_SERIAL_CU = /^cu\.(usbmodem|usbserial|wchusbserial|SLAB_USBtoUART)/;

export function serialOsChecks(probes: SerialProbes): CheckDefinition[] {
  return [
    {
      id: 'serial.windows-drivers',
      title: 'USB-serial drivers (CH340, CP210x, FTDI) on Windows',
      async run() {
        const platform = await probes.platform();
        if (platform !== 'win32') return notThisOs('Windows', platform);
        const drivers = (await probes.windowsDrivers()).map((d) => d.toLowerCase());
        const has = (matches: readonly string[]): boolean => drivers.some((d) => matches.some((m) => d.includes(m)));
        const missing = WINDOWS_BRIDGE_DRIVERS.filter((b) => !has(b.matches));
        if (missing.length === 0) return pass(`drivers installed for ${WINDOWS_BRIDGE_DRIVERS.map((b) => b.bridge).join(', ')}`);
        return warn(
          `no driver for ${listed(missing.map((b) => b.bridge))}: a gateway behind that bridge gets no COM port (CDC-ACM gateways need none)`,
          `install ${missing.map((b) => b.install).join('; ')} — or plug the adapter in and let Windows Update offer it`,
        );
      },
    },
    {
      id: 'serial.macos-naming',
      title: 'Serial port names on macOS (/dev/cu.*)',
      async run() {
        const platform = await probes.platform();
        if (platform !== 'darwin') return notThisOs('macOS', platform);
        const ports = (await probes.macSerialDevices()).filter((d) => USB_SERIAL_CU.test(d));
        if (ports.length === 0) return skip('no USB serial device plugged in, so nothing to check');
        const wch = ports.filter((p) => p.startsWith('cu.wchusbserial'));
        const apple = ports.filter((p) => p.startsWith('cu.usbserial'));
        if (wch.length > 0 && apple.length > 0) {
          return warn(`each CH34x adapter appears twice (${listed([...wch, ...apple])}): WCH’s old driver is installed beside Apple’s`, 'remove the WCH driver (sudo rm -r /Library/Extensions/usbserial.kext, then restart) and use /dev/cu.usbserial-*');
        }
        return pass(`use ${listed(ports.map((p) => `/dev/${p}`))} (the cu.* name, never tty.*, which waits for carrier detect)`);
      },
    },
  ];
}
