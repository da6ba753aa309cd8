/**
 * The simulator end of the virtual BLE "air": a Unix domain socket server. Every client connection is one central
 * (the virtual noble binding of one app or CLI process); several may be connected at once, each scanning and
 * connecting to gateways on its own. Messages are protocol.ts frames; a client that sends garbage gets an `error`
 * message and is disconnected, and the simulator carries on.
 *
 * The socket file is private to the user (mode 0600). A stale one left by a killed simulator is removed; one that
 * another simulator still listens on is refused with BLE_SIM_SOCKET_IN_USE, and a path that is not a socket is
 * never deleted.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { FieldlineError } from '../../errors';
import type { Logger } from '../../log';
import type { BleGateway, Central } from './ble-gateway';
import {
  clientMessageSchema,
  encodeFrame,
  FrameDecoder,
  fromBase64,
  PROTOCOL_VERSION,
  type ClientMessage,
  type SimMessage,
} from '../../transport/ble/virtual/protocol';

/** How often a scanner that allows duplicates hears each advertising gateway again (RSSI updates). */
export const ADVERTISING_REPORT_MS = 200;
/** Unix socket paths are limited to about 107 bytes (sun_path); keep a margin. */
const MAX_SOCKET_PATH = 100;
/** A client that reads nothing while we keep writing is dropped before it costs us memory. */
const MAX_BACKLOG = 4 * 1024 * 1024;

export interface BleServerOptions {
  socketPath: string;
  gateways: readonly BleGateway[];
  logger: Logger;
  advertisingReportMs?: number;
}

class CentralSession implements Central {
  scanning = false;
  allowDuplicates = false;
  greeted = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly logger: Logger,
  ) {}

  send(message: SimMessage): void {
    if (this.socket.destroyed) return;
    this.socket.write(encodeFrame(message));
    if (this.socket.writableLength > MAX_BACKLOG) {
      this.logger.warn('dropping a central that does not read', { central: this.id });
      this.socket.destroy();
    }
  }

  refuse(why: string): void {
    this.logger.warn('closing a central that broke the protocol', { central: this.id, why });
    if (this.socket.destroyed) return;
    this.socket.end(encodeFrame({ type: 'error', message: why.slice(0, 200) }));
    // end() waits for the peer; a peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  close(): void {
    this.socket.destroy();
  }
}

export class BleServer {
  private readonly sessions = new Set<CentralSession>();
  private readonly byAddress: Map<string, BleGateway>;
  private reportTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: BleServerOptions,
  ) {
    this.byAddress = new Map(options.gateways.map((g) => [g.address, g]));
    server.on('connection', (socket) => this.accept(socket));
    this.reportTimer = setInterval(() => this.report(), options.advertisingReportMs ?? ADVERTISING_REPORT_MS);
    this.reportTimer.unref();
  }

  static async listen(options: BleServerOptions): Promise<BleServer> {
    const path = options.socketPath;
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      throw new FieldlineError('INVALID_ARGUMENT', `socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes (a Unix socket limit)`);
    }
    await removeStaleSocket(path);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? inUse(path)
            : new FieldlineError('SIMULATOR_FAILED', `cannot listen on ${path}: ${err.message}`, { path }, { cause: err }),
        );
      });
      server.listen(path, () => resolve());
    });
    await chmod(path, 0o600);
    return new BleServer(server, options);
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** A gateway (re)started advertising: every scanner hears of it now rather than at the next report. */
  announce(gateway: BleGateway): void {
    const ad = gateway.advertisement();
    if (!ad) return;
    for (const s of this.sessions) if (s.scanning) s.send(ad);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.reportTimer) clearInterval(this.reportTimer);
      for (const s of this.sessions) s.close();
      this.sessions.clear();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      await unlink(this.options.socketPath).catch(() => {});
    })();
    return this.closing;
  }

  private accept(socket: Socket): void {
    const session = new CentralSession(this.nextId++, socket, this.options.logger);
    this.sessions.add(session);
    this.options.logger.debug('central connected', { central: session.id });
    const decoder = new FrameDecoder<ClientMessage>(
      clientMessageSchema,
      (message) => this.handle(session, message),
      (error) => session.refuse(error.message),
    );
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', (err) => this.options.logger.debug('central socket error', { central: session.id, error: err.message }));
    socket.on('close', () => {
      this.sessions.delete(session);
      for (const g of this.options.gateways) g.centralGone(session);
      this.options.logger.debug('central disconnected', { central: session.id });
    });
  }

  private handle(session: CentralSession, message: ClientMessage): void {
    if (message.type === 'hello') {
      if (message.version !== PROTOCOL_VERSION) {
        session.refuse(`protocol version ${message.version} is not supported (this simulator speaks ${PROTOCOL_VERSION})`);
        return;
      }
      session.greeted = true;
      session.send({ type: 'hello', version: PROTOCOL_VERSION, gateways: this.options.gateways.length });
      return;
    }
    if (!session.greeted) {
      session.refuse(`"${message.type}" before "hello"`);
      return;
    }
    switch (message.type) {
      case 'scan-start':
        session.scanning = true;
        session.allowDuplicates = message.allowDuplicates;
        for (const g of this.options.gateways) {
          const ad = g.advertisement();
          if (ad) session.send(ad);
        }
        return;
      case 'scan-stop':
        session.scanning = false;
        return;
      case 'connect': {
        const gateway = this.byAddress.get(message.address);
        if (!gateway) {
          session.send({ type: 'connect-failed', address: message.address, code: 'unknown', message: `no virtual gateway has address ${message.address}` });
          return;
        }
        gateway.connect(session, message.mtu);
        return;
      }
      case 'disconnect':
        this.byAddress.get(message.address)?.disconnect(session);
        return;
      case 'subscribe': {
        const gateway = this.byAddress.get(message.address);
        if (gateway) gateway.subscribe(session, message.enable);
        else session.send({ type: 'subscribed', address: message.address, enabled: false, error: 'no such gateway' });
        return;
      }
      case 'write': {
        const gateway = this.byAddress.get(message.address);
        if (gateway) gateway.write(session, fromBase64(message.data), message.withoutResponse);
        else session.send({ type: 'written', address: message.address, error: 'no such gateway' });
        return;
      }
    }
  }

  /** Periodic scan reports for scanners that asked for duplicates (they follow RSSI). */
  private report(): void {
    for (const s of this.sessions) {
      if (!s.scanning || !s.allowDuplicates) continue;
      for (const g of this.options.gateways) {
        const ad = g.advertisement();
        if (ad) s.send(ad);
      }
    }
  }
}

function inUse(path: string): FieldlineError {
  return new FieldlineError('BLE_SIM_SOCKET_IN_USE', `${path} is taken`, { path });
}

/** Removes a socket file nobody listens on; refuses when someone does, or when the path is not a socket. */
async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return;
  if (!stat.isSocket()) {
    throw new FieldlineError('INVALID_ARGUMENT', `${path} exists and is not a socket; choose another --ble-socket path`, { path });
  }
  const listening = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    const done = (answer: boolean): void => {
      probe.destroy();
      resolve(answer);
    };
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
    // A Unix socket connect answers at once; silence is odd enough not to delete anything.
    setTimeout(() => done(true), 1000).unref();
  });
  if (listening) throw inUse(path);
  await unlink(path).catch(() => {});
}
