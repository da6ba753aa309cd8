/**
 * One virtual gateway: a pty pair, the device end of the line (link), the SMP dispatcher over the device model's
 * group handlers, and this gateway's faults. Reboots and unplugs are played out here, in the order a real device
 * shows them: a reset's reply is on the wire (flushed through the throttle) before the device goes silent; an
 * unplug makes the app's port vanish, and a replug brings it back at the same path with a freshly booted device.
 */
import { encodeSerialFrames } from '../../smp/serial-framing';
import type { Logger } from '../../log';
import type { GroupHandler } from '../handler';
import type { DevicePort } from './device-port';
import { Dispatcher } from './dispatch';
import type { GatewayFaults } from './faults';
import { DeviceLink, type LinkCounter } from './link';
import { publishPortLink, unpublishPortLink } from '../../transport/ports-dir';
import { createPtyLink, type PtyLink } from './pty-link';

/** What the runtime needs of a device model (main/simulator/device/device.ts provides it). */
export interface SimDevice {
  readonly handlers: readonly GroupHandler[];
  /** Power-on: resolves when the application answers, i.e. after the device's reboot delay. */
  boot(): Promise<unknown>;
}

export interface GatewayOptions {
  serial: string;
  /** Path the app opens (a symlink made by socat). */
  appPath: string;
  device: SimDevice;
  baud: number;
  bufSize: number;
  bufCount: number;
  smpV1Only: boolean;
  faults: GatewayFaults;
  /** Increments the device's "smp" stats group. */
  count: (counter: LinkCounter, n?: number) => void;
  logger: Logger;
  /** Where the app-side port is announced (a symlink named after the serial); none when undefined. */
  portsDir?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Gateway {
  private pty: PtyLink | undefined;
  private link: DeviceLink | undefined;
  private readonly dispatcher: Dispatcher;
  private replugTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Settles when the current replug attempt is over (so stop() never races a socat being started). */
  private replugging: Promise<void> = Promise.resolve();

  constructor(private readonly options: GatewayOptions) {
    this.dispatcher = new Dispatcher({
      handlers: options.device.handlers,
      smpV1Only: options.smpV1Only,
      maxReply: options.bufSize,
      logger: options.logger,
    });
  }

  get serial(): string {
    return this.options.serial;
  }

  get port(): string {
    return this.options.appPath;
  }

  /** Boots the device, makes the pty pair and starts listening; then the app's port appears. */
  async start(): Promise<void> {
    await this.options.device.boot();
    const port = await this.plugIn();
    this.link = new DeviceLink({
      port,
      baud: this.options.baud,
      bufSize: this.options.bufSize,
      bufCount: this.options.bufCount,
      onPacket: (packet) => this.onPacket(packet),
      count: this.options.count,
      logger: this.options.logger,
    });
    await this.publish();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.replugTimer) clearTimeout(this.replugTimer);
    await this.replugging;
    await this.unpublish();
    await this.link?.close().catch(() => {});
    await this.pty?.stop();
  }

  /** The app's port appears, then its announcement in the ports directory (so whoever sees the link can open it). */
  private async publish(): Promise<void> {
    await this.pty?.publish();
    if (this.options.portsDir !== undefined) await publishPortLink(this.options.portsDir, this.options.serial, this.options.appPath);
  }

  private async unpublish(): Promise<void> {
    if (this.options.portsDir !== undefined) await unpublishPortLink(this.options.portsDir, this.options.serial, this.options.appPath);
  }

  private async plugIn(): Promise<DevicePort> {
    const pty = await createPtyLink({ appPath: this.options.appPath, logger: this.options.logger });
    this.pty = pty;
    return pty.port;
  }

  private async onPacket(packet: Uint8Array): Promise<void> {
    const link = this.link as DeviceLink;
    const faults = this.options.faults;
    const decision = faults.onRequest(packet);
    if (decision.drop) {
      this.options.logger.debug('fault: request dropped');
      return;
    }
    if (decision.reboot) {
      this.options.logger.info('fault: reboot in the middle of an upload');
      await this.reboot();
      return;
    }
    const outcome = await this.dispatcher.dispatch(packet);
    for (const reply of outcome.replies) {
      const plan = faults.onReply(encodeSerialFrames(reply));
      if (plan.delayMs > 0) await sleep(plan.delayMs);
      if (plan.sends.length === 0) this.options.logger.debug('fault: reply dropped');
      // Zephyr's UART transport writes a reply byte by byte before it handles anything else, so we wait too.
      for (const frames of plan.sends) await link.sendFrames(frames);
    }
    if (outcome.reboot) await this.reboot();
    const unplug = faults.disconnectNow();
    if (unplug) await this.unplug(unplug.backMs);
  }

  private async reboot(): Promise<void> {
    const link = this.link as DeviceLink;
    await link.flush();
    // Silent (input lost) for as long as the device takes to boot: boot() includes its reboot delay.
    link.setListening(false);
    await this.options.device.boot();
    if (this.stopped) return;
    link.setListening(true);
    this.options.logger.debug('rebooted');
  }

  /** The cable is pulled: socat dies, so the app's port disappears; with backMs it is plugged in again later. */
  private async unplug(backMs: number | undefined): Promise<void> {
    const link = this.link as DeviceLink;
    // The last reply reaches the app before the cable is pulled, as it would from a real device.
    await link.closePort();
    await this.unpublish();
    await this.pty?.stop();
    this.options.logger.info('fault: unplugged', { port: this.options.appPath, backMs });
    if (backMs === undefined || this.stopped) return;
    this.replugTimer = setTimeout(() => {
      this.replugTimer = undefined;
      this.replugging = this.replug().catch((err: unknown) => {
        this.options.logger.error('replug failed', { error: String(err) });
      });
    }, backMs);
  }

  private async replug(): Promise<void> {
    if (this.stopped) return;
    const link = this.link as DeviceLink;
    // Unplugging a bus-powered gateway power-cycles it; its port appears once the firmware runs.
    await this.options.device.boot();
    const port = await this.plugIn();
    if (this.stopped) {
      await port.close();
      return;
    }
    await link.replacePort(port);
    link.setListening(true);
    await this.publish();
    this.options.logger.info('fault: plugged in again', { port: this.options.appPath });
  }
}
