/**
 * The noble binding behind `--ble-adapter virtual`: instead of an HCI socket it reaches the virtual gateways of a
 * running `fieldline sim --ble` through a local socket (protocol.ts beside it, which the simulator imports from here). Everything above it —
 * noble (through its `with-bindings` seam) and Fieldline's BLE transport — is the real code, so this file
 * implements exactly what noble asks of a binding (lib/noble.js) and answers with the events, and argument
 * orders, that the HCI binding (lib/hci-socket/bindings.js) uses:
 * - init(): poweredOn once the simulator has said hello; no simulator → `failure` is BLE_VIRTUAL_UNREACHABLE
 *   (naming the socket) and the state 'unsupported'. If the socket closes later, every connected peripheral gets
 *   'disconnect' and the state becomes 'poweredOff'.
 * - connect: 'onMtu' with the negotiated MTU, then 'connect'. The MTU asked for is `parameters.mtu` (noble passes
 *   connect()'s options through), else 517.
 * - Notifications arrive as 'read' with isNotification = true (and 'handleNotify').
 * - GATT discovery is answered from the simulator's fixed GATT table (below) without link traffic: the link model
 *   is there to bound SMP throughput, and discovery happens once per connection.
 */
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { FieldlineError } from '../../../errors';
import { silentLogger, type Logger } from '../../../log';
import {
  encodeFrame,
  FrameDecoder,
  fromBase64,
  HCI_REASON,
  MAX_MTU,
  MAX_VALUE,
  MIN_MTU,
  PROTOCOL_VERSION,
  simMessageSchema,
  toBase64,
  type ClientMessage,
  type SimMessage,
} from './protocol';
import { normalizeUuid, SMP_CHARACTERISTIC_UUID, SMP_SERVICE_UUID } from '../uuids';

export interface VirtualBindingOptions {
  socketPath: string;
  logger?: Logger;
}

export type AdapterState = 'unknown' | 'poweredOn' | 'poweredOff' | 'unsupported';

export interface VirtualBinding extends EventEmitter {
  /** Why the virtual adapter is not (or no longer) usable; undefined while it is. */
  readonly failure: FieldlineError | undefined;
  readonly state: AdapterState;
  init(): void;
  setScanParameters(interval?: number, window?: number): void;
  startScanning(serviceUuids?: string[], allowDuplicates?: boolean): void;
  stopScanning(): void;
  connect(peripheralUuid: string, parameters?: unknown): void;
  cancelConnect(peripheralUuid: string, parameters?: unknown): void;
  disconnect(peripheralUuid: string): void;
  reset(): void;
  updateRssi(peripheralUuid: string): void;
  addService(peripheralUuid: string, service: unknown): void;
  discoverServices(peripheralUuid: string, uuids?: string[]): void;
  discoverIncludedServices(peripheralUuid: string, serviceUuid: string, serviceUuids?: string[]): void;
  addCharacteristics(peripheralUuid: string, serviceUuid: string, characteristics: unknown): void;
  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids?: string[]): void;
  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void;
  write(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, data: Uint8Array, withoutResponse: boolean): void;
  broadcast(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, broadcast: boolean): void;
  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, notify: boolean): void;
  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void;
  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void;
  writeValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string, data: Uint8Array): void;
  readHandle(peripheralUuid: string, handle: number): void;
  writeHandle(peripheralUuid: string, handle: number, data: Uint8Array, withoutResponse: boolean): void;
  /** Not a noble method: closes the socket (tests, shutdown). The state becomes poweredOff. */
  close(): void;
}

/** How long the simulator may take to answer hello before the adapter counts as unreachable. */
const HELLO_TIMEOUT_MS = 3000;
const DEFAULT_WANTED_MTU = MAX_MTU;
const CCCD = '2902';

interface CharacteristicDef {
  uuid: string;
  properties: string[];
  declarationHandle: number;
  valueHandle: number;
  cccdHandle?: number;
}

interface ServiceDef {
  uuid: string;
  startHandle: number;
  endHandle: number;
  characteristics: CharacteristicDef[];
}

/** The GATT table of a virtual gateway: GAP, GATT, and SMP (Zephyr smp_bt.c: write without response + notify). */
const GATT_TABLE: readonly ServiceDef[] = [
  {
    uuid: '1800',
    startHandle: 1,
    endHandle: 5,
    characteristics: [
      { uuid: '2a00', properties: ['read'], declarationHandle: 2, valueHandle: 3 },
      { uuid: '2a01', properties: ['read'], declarationHandle: 4, valueHandle: 5 },
    ],
  },
  {
    uuid: '1801',
    startHandle: 6,
    endHandle: 9,
    characteristics: [{ uuid: '2a05', properties: ['indicate'], declarationHandle: 7, valueHandle: 8, cccdHandle: 9 }],
  },
  {
    uuid: SMP_SERVICE_UUID,
    startHandle: 10,
    endHandle: 13,
    characteristics: [
      { uuid: SMP_CHARACTERISTIC_UUID, properties: ['writeWithoutResponse', 'write', 'notify'], declarationHandle: 11, valueHandle: 12, cccdHandle: 13 },
    ],
  },
];
const SMP_VALUE_HANDLE = 12;
const SMP_CCCD_HANDLE = 13;

type LinkState = 'idle' | 'connecting' | 'connected' | 'disconnecting';

interface Remote {
  uuid: string;
  address: string;
  name: string | undefined;
  rssi: number;
  link: LinkState;
  subscribed: boolean;
  /** Completions of writes sent, in order: the simulator answers each with one 'written'. */
  writes: Array<(error?: string) => void>;
  /** Completions of CCCD writes sent, in order: each gets one 'subscribed'. */
  subscribes: Array<(enabled: boolean, error?: string) => void>;
}

/** noble's peripheral id: the address without colons, lower case. */
function uuidOf(address: string): string {
  return address.split(':').join('').toLowerCase();
}

function addressOf(uuid: string): string | undefined {
  return /^[0-9a-f]{12}$/.test(uuid) ? (uuid.match(/../g) as string[]).join(':') : undefined;
}

function wantedMtu(parameters: unknown): number {
  const mtu = (parameters as { mtu?: unknown } | undefined)?.mtu;
  return typeof mtu === 'number' && Number.isInteger(mtu) && mtu >= MIN_MTU && mtu <= MAX_MTU ? mtu : DEFAULT_WANTED_MTU;
}

class VirtualNobleBinding extends EventEmitter implements VirtualBinding {
  private failureValue: FieldlineError | undefined;
  private stateValue: AdapterState = 'unknown';
  private socket: Socket | undefined;
  private up = false;
  private closedByUs = false;
  private helloTimer: NodeJS.Timeout | undefined;
  private scanning = false;
  private scanFilter: string[] = [];
  private readonly remotes = new Map<string, Remote>();
  private readonly logger: Logger;

  constructor(private readonly options: VirtualBindingOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
  }

  get failure(): FieldlineError | undefined {
    return this.failureValue;
  }

  get state(): AdapterState {
    return this.stateValue;
  }

  init(): void {
    if (this.socket) return;
    const path = this.options.socketPath;
    const socket = createConnection(path);
    this.socket = socket;
    const decoder = new FrameDecoder<SimMessage>(
      simMessageSchema,
      (message) => this.handle(message),
      (error) => {
        this.logger.error('the virtual BLE simulator sent an invalid message', { error: error.message });
        this.unreachable(`the process on ${path} does not speak the virtual BLE protocol (${error.message})`);
        socket.destroy();
      },
    );
    this.helloTimer = setTimeout(() => {
      this.unreachable(`nothing answered on ${path} within ${HELLO_TIMEOUT_MS / 1000} s`);
      socket.destroy();
    }, HELLO_TIMEOUT_MS);
    socket.on('connect', () => this.send({ type: 'hello', version: PROTOCOL_VERSION, client: `fieldline pid ${process.pid}` }));
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!this.up) this.unreachable(`no virtual Bluetooth gateways listen on ${path} (${err.code ?? err.message})`);
      else this.logger.warn('virtual BLE socket error', { error: err.message });
    });
    socket.on('close', () => this.onSocketClosed());
  }

  close(): void {
    this.closedByUs = true;
    this.socket?.destroy();
  }

  setScanParameters(): void {
    process.nextTick(() => this.emit('scanParametersSet'));
  }

  startScanning(serviceUuids?: string[], allowDuplicates?: boolean): void {
    this.scanFilter = (serviceUuids ?? []).map(normalizeUuid);
    this.scanning = true;
    // scanStart first: the simulator's reports of gateways already advertising follow through the socket.
    process.nextTick(() => this.emit('scanStart', !allowDuplicates));
    this.send({ type: 'scan-start', allowDuplicates: allowDuplicates === true });
  }

  stopScanning(): void {
    this.scanning = false;
    this.send({ type: 'scan-stop' });
    process.nextTick(() => this.emit('scanStop'));
  }

  connect(peripheralUuid: string, parameters?: unknown): void {
    const remote = this.remote(peripheralUuid);
    if (!remote || !this.up) {
      const error = remote
        ? this.failureValue ?? new FieldlineError('BLE_VIRTUAL_UNREACHABLE', `the virtual Bluetooth adapter is not connected to ${this.options.socketPath}`)
        : new FieldlineError('BLE_DEVICE_NOT_FOUND', `${peripheralUuid} is not a Bluetooth address`);
      process.nextTick(() => this.emit('connect', peripheralUuid, error));
      return;
    }
    remote.link = 'connecting';
    this.send({ type: 'connect', address: remote.address, mtu: wantedMtu(parameters) });
  }

  cancelConnect(peripheralUuid: string): void {
    const remote = this.remotes.get(peripheralUuid);
    if (remote?.link !== 'connecting') return;
    // noble has already told the peripheral "connection canceled"; whatever the simulator answers is ignored.
    remote.link = 'idle';
    this.send({ type: 'disconnect', address: remote.address });
  }

  disconnect(peripheralUuid: string): void {
    const remote = this.remotes.get(peripheralUuid);
    if (remote?.link === 'connected') {
      remote.link = 'disconnecting';
      this.send({ type: 'disconnect', address: remote.address });
      return;
    }
    // Not connected (or still connecting): end any attempt, and let noble's disconnect callback run.
    if (remote?.link === 'connecting') {
      remote.link = 'idle';
      this.send({ type: 'disconnect', address: remote.address });
      process.nextTick(() => this.emit('connect', peripheralUuid, new FieldlineError('BLE_LINK_LOST', `the connection to ${remote.address} was abandoned`)));
    }
    if (remote?.link !== 'disconnecting') process.nextTick(() => this.emit('disconnect', peripheralUuid, HCI_REASON.LOCAL_HOST_TERMINATED));
  }

  reset(): void {
    if (this.scanning) this.stopScanning();
    for (const remote of this.remotes.values()) if (remote.link !== 'idle') this.disconnect(remote.uuid);
  }

  updateRssi(peripheralUuid: string): void {
    const rssi = this.remotes.get(peripheralUuid)?.rssi ?? -127;
    process.nextTick(() => this.emit('rssiUpdate', peripheralUuid, rssi));
  }

  addService(): void {
    // The GATT table is fixed: nothing to add.
  }

  addCharacteristics(): void {
    // The GATT table is fixed: nothing to add.
  }

  discoverServices(peripheralUuid: string, uuids?: string[]): void {
    const wanted = (uuids ?? []).map(normalizeUuid);
    const services = this.table(peripheralUuid, 'service discovery').filter((s) => wanted.length === 0 || wanted.includes(s.uuid));
    process.nextTick(() => {
      this.emit(
        'servicesDiscovered',
        peripheralUuid,
        services.map((s) => ({ uuid: s.uuid, startHandle: s.startHandle, endHandle: s.endHandle })),
      );
      this.emit(
        'servicesDiscover',
        peripheralUuid,
        services.map((s) => s.uuid),
      );
    });
  }

  discoverIncludedServices(peripheralUuid: string, serviceUuid: string): void {
    process.nextTick(() => this.emit('includedServicesDiscover', peripheralUuid, serviceUuid, []));
  }

  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids?: string[]): void {
    const wanted = (characteristicUuids ?? []).map(normalizeUuid);
    const service = this.table(peripheralUuid, 'characteristic discovery').find((s) => s.uuid === normalizeUuid(serviceUuid));
    const chars = (service?.characteristics ?? []).filter((c) => wanted.length === 0 || wanted.includes(c.uuid));
    process.nextTick(() => {
      this.emit(
        'characteristicsDiscovered',
        peripheralUuid,
        serviceUuid,
        chars.map((c) => ({ uuid: c.uuid, properties: c.properties, startHandle: c.declarationHandle, valueHandle: c.valueHandle })),
      );
      this.emit(
        'characteristicsDiscover',
        peripheralUuid,
        serviceUuid,
        chars.map((c) => ({ uuid: c.uuid, properties: [...c.properties] })),
      );
    });
  }

  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    const c = this.characteristic(peripheralUuid, serviceUuid, characteristicUuid);
    const descriptors = c?.cccdHandle === undefined ? [] : [CCCD];
    process.nextTick(() => this.emit('descriptorsDiscover', peripheralUuid, serviceUuid, characteristicUuid, descriptors));
  }

  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    const c = this.characteristic(peripheralUuid, serviceUuid, characteristicUuid);
    const data = c ? this.valueAt(peripheralUuid, c.valueHandle) : Buffer.alloc(0);
    process.nextTick(() => this.emit('read', peripheralUuid, serviceUuid, characteristicUuid, data, false));
  }

  write(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, data: Uint8Array, withoutResponse: boolean): void {
    const done = (): void => {
      this.emit('write', peripheralUuid, serviceUuid, characteristicUuid);
    };
    if (this.isSmp(serviceUuid, characteristicUuid)) this.writeSmp(peripheralUuid, data, withoutResponse, done);
    else process.nextTick(done);
  }

  broadcast(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    // No characteristic of the table has the broadcast property: the state stays off.
    process.nextTick(() => this.emit('broadcast', peripheralUuid, serviceUuid, characteristicUuid, false));
  }

  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, notify: boolean): void {
    const done = (enabled: boolean): void => {
      this.emit('notify', peripheralUuid, serviceUuid, characteristicUuid, enabled);
    };
    if (this.isSmp(serviceUuid, characteristicUuid)) this.subscribe(peripheralUuid, notify, done);
    else process.nextTick(() => done(notify));
  }

  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void {
    const c = this.characteristic(peripheralUuid, serviceUuid, characteristicUuid);
    const data = c?.cccdHandle !== undefined && normalizeUuid(descriptorUuid) === CCCD ? this.valueAt(peripheralUuid, c.cccdHandle) : Buffer.alloc(0);
    process.nextTick(() => this.emit('valueRead', peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid, data));
  }

  writeValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string, data: Uint8Array): void {
    const done = (): void => {
      this.emit('valueWrite', peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid);
    };
    if (this.isSmp(serviceUuid, characteristicUuid) && normalizeUuid(descriptorUuid) === CCCD) {
      this.subscribe(peripheralUuid, ((data[0] ?? 0) & 1) === 1, done);
    } else {
      process.nextTick(done);
    }
  }

  readHandle(peripheralUuid: string, handle: number): void {
    const data = this.valueAt(peripheralUuid, handle);
    process.nextTick(() => this.emit('handleRead', peripheralUuid, handle, data));
  }

  writeHandle(peripheralUuid: string, handle: number, data: Uint8Array, withoutResponse: boolean): void {
    const done = (): void => {
      this.emit('handleWrite', peripheralUuid, handle);
    };
    if (handle === SMP_VALUE_HANDLE) this.writeSmp(peripheralUuid, data, withoutResponse, done);
    else if (handle === SMP_CCCD_HANDLE) this.subscribe(peripheralUuid, ((data[0] ?? 0) & 1) === 1, done);
    else process.nextTick(done);
  }

  // ——— the simulator's side ———

  private handle(message: SimMessage): void {
    switch (message.type) {
      case 'hello':
        return this.onHello(message.version, message.gateways);
      case 'advertisement':
        return this.onAdvertisement(message);
      case 'connected': {
        const remote = this.byAddress(message.address);
        if (remote?.link !== 'connecting') {
          // Canceled meanwhile: let the peripheral go again.
          this.send({ type: 'disconnect', address: message.address });
          return;
        }
        remote.link = 'connected';
        remote.subscribed = false;
        this.emit('onMtu', remote.uuid, message.mtu);
        this.emit('connect', remote.uuid, null);
        return;
      }
      case 'connect-failed': {
        const remote = this.byAddress(message.address);
        if (remote?.link !== 'connecting') return;
        remote.link = 'idle';
        this.emit('connect', remote.uuid, connectError(message));
        return;
      }
      case 'disconnected': {
        const remote = this.byAddress(message.address);
        if (!remote || (remote.link !== 'connected' && remote.link !== 'disconnecting')) return;
        this.lose(remote, message.reason);
        return;
      }
      case 'notification': {
        const remote = this.byAddress(message.address);
        if (remote?.link !== 'connected') return;
        const data = Buffer.from(fromBase64(message.data));
        this.emit('read', remote.uuid, SMP_SERVICE_UUID, SMP_CHARACTERISTIC_UUID, data, true);
        this.emit('handleNotify', remote.uuid, SMP_VALUE_HANDLE, data);
        return;
      }
      case 'written': {
        const remote = this.byAddress(message.address);
        const done = remote?.writes.shift();
        if (message.error) this.logger.warn('the virtual gateway refused a write', { address: message.address, error: message.error });
        done?.(message.error);
        return;
      }
      case 'subscribed': {
        const remote = this.byAddress(message.address);
        if (!remote) return;
        if (!message.error) remote.subscribed = message.enabled;
        else this.logger.warn('the virtual gateway refused a subscription', { address: message.address, error: message.error });
        remote.subscribes.shift()?.(remote.subscribed, message.error);
        return;
      }
      case 'error':
        this.logger.error('the virtual BLE simulator closes the connection', { error: message.message });
        return;
    }
  }

  private onHello(version: number, gateways: number): void {
    if (this.up) return;
    if (version !== PROTOCOL_VERSION) {
      this.unreachable(`the simulator on ${this.options.socketPath} speaks protocol ${version}, this Fieldline ${PROTOCOL_VERSION}`);
      this.socket?.destroy();
      return;
    }
    clearTimeout(this.helloTimer);
    this.up = true;
    this.failureValue = undefined;
    this.logger.debug('connected to the virtual BLE simulator', { socket: this.options.socketPath, gateways });
    this.setState('poweredOn');
    this.emit('addressChange', `c0:fe:00:${[(process.pid >> 16) & 0xff, (process.pid >> 8) & 0xff, process.pid & 0xff].map((b) => b.toString(16).padStart(2, '0')).join(':')}`);
  }

  private onAdvertisement(ad: Extract<SimMessage, { type: 'advertisement' }>): void {
    const uuid = uuidOf(ad.address);
    let remote = this.remotes.get(uuid);
    if (!remote) {
      remote = { uuid, address: ad.address, name: ad.name, rssi: ad.rssi, link: 'idle', subscribed: false, writes: [], subscribes: [] };
      this.remotes.set(uuid, remote);
    }
    remote.name = ad.name;
    remote.rssi = ad.rssi;
    if (!this.scanning) return;
    if (this.scanFilter.length > 0 && !ad.serviceUuids.some((u) => this.scanFilter.includes(u))) return;
    const advertisement = {
      localName: ad.name,
      txPowerLevel: undefined,
      manufacturerData: undefined,
      serviceData: [],
      serviceUuids: [...ad.serviceUuids],
      solicitationServiceUuids: [],
    };
    this.emit('discover', uuid, ad.address, 'random', ad.connectable, advertisement, ad.rssi, true);
  }

  private onSocketClosed(): void {
    clearTimeout(this.helloTimer);
    const wasUp = this.up;
    this.up = false;
    this.socket = undefined;
    this.scanning = false;
    if (wasUp && !this.closedByUs) {
      this.failureValue = new FieldlineError('BLE_VIRTUAL_UNREACHABLE', `the virtual Bluetooth gateways on ${this.options.socketPath} went away`, {
        socketPath: this.options.socketPath,
      });
    } else if (!wasUp && !this.failureValue && !this.closedByUs) {
      this.unreachable(`the connection to ${this.options.socketPath} closed before the simulator answered`);
    }
    for (const remote of this.remotes.values()) {
      if (remote.link === 'connecting') {
        remote.link = 'idle';
        this.emit('connect', remote.uuid, this.failureValue ?? new FieldlineError('BLE_LINK_LOST', 'the virtual adapter was closed'));
      } else if (remote.link !== 'idle') {
        this.lose(remote, HCI_REASON.CONNECTION_TIMEOUT);
      }
    }
    if (wasUp) this.setState('poweredOff');
  }

  // ——— helpers ———

  private unreachable(why: string): void {
    if (this.up) return;
    clearTimeout(this.helloTimer);
    this.failureValue ??= new FieldlineError('BLE_VIRTUAL_UNREACHABLE', why, { socketPath: this.options.socketPath });
    this.setState('unsupported');
  }

  private setState(state: AdapterState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.emit('stateChange', state);
  }

  private send(message: ClientMessage): void {
    if (!this.socket || this.socket.destroyed) return;
    if (message.type !== 'hello' && !this.up) return;
    this.socket.write(encodeFrame(message));
  }

  private lose(remote: Remote, reason: number): void {
    remote.link = 'idle';
    remote.subscribed = false;
    // GATT operations in flight die with the link, as on a real one: their callbacks never run.
    remote.writes = [];
    remote.subscribes = [];
    this.emit('disconnect', remote.uuid, reason);
  }

  /** A known peripheral, or one noble names by a bare address it was never told of (noble accepts such ids). */
  private remote(peripheralUuid: string): Remote | undefined {
    const known = this.remotes.get(peripheralUuid);
    if (known) return known;
    const address = addressOf(peripheralUuid);
    if (!address) return undefined;
    const remote: Remote = { uuid: peripheralUuid, address, name: undefined, rssi: -127, link: 'idle', subscribed: false, writes: [], subscribes: [] };
    this.remotes.set(peripheralUuid, remote);
    return remote;
  }

  private byAddress(address: string): Remote | undefined {
    return this.remotes.get(uuidOf(address));
  }

  /** The GATT table of a connected peripheral; a disconnected one has none to discover. */
  private table(peripheralUuid: string, what: string): readonly ServiceDef[] {
    if (this.remotes.get(peripheralUuid)?.link === 'connected') return GATT_TABLE;
    this.logger.warn(`${what} on a peripheral that is not connected`, { peripheral: peripheralUuid });
    return [];
  }

  private characteristic(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): CharacteristicDef | undefined {
    if (this.remotes.get(peripheralUuid)?.link !== 'connected') return undefined;
    const service = GATT_TABLE.find((s) => s.uuid === normalizeUuid(serviceUuid));
    return service?.characteristics.find((c) => c.uuid === normalizeUuid(characteristicUuid));
  }

  private isSmp(serviceUuid: string, characteristicUuid: string): boolean {
    return normalizeUuid(serviceUuid) === SMP_SERVICE_UUID && normalizeUuid(characteristicUuid) === SMP_CHARACTERISTIC_UUID;
  }

  /** What a read of `handle` returns: the GAP name and appearance, a CCCD's state; the SMP value reads as empty. */
  private valueAt(peripheralUuid: string, handle: number): Buffer {
    const remote = this.remotes.get(peripheralUuid);
    if (remote?.link !== 'connected') return Buffer.alloc(0);
    switch (handle) {
      case 3:
        return Buffer.from(remote.name ?? '', 'utf8');
      case 5:
        return Buffer.from([0x00, 0x00]); // appearance: unknown
      case SMP_CCCD_HANDLE:
        return Buffer.from([remote.subscribed ? 1 : 0, 0]);
      case 9:
        return Buffer.from([0, 0]);
      default:
        return Buffer.alloc(0);
    }
  }

  private writeSmp(peripheralUuid: string, data: Uint8Array, withoutResponse: boolean, done: () => void): void {
    const remote = this.remotes.get(peripheralUuid);
    if (remote?.link !== 'connected') {
      this.logger.warn('write to a peripheral that is not connected: dropped', { peripheral: peripheralUuid });
      return;
    }
    if (data.length > MAX_VALUE) {
      this.logger.warn('write longer than an ATT value can be: dropped', { peripheral: peripheralUuid, bytes: data.length, max: MAX_VALUE });
      return;
    }
    remote.writes.push(() => done());
    this.send({ type: 'write', address: remote.address, data: toBase64(data), withoutResponse });
  }

  private subscribe(peripheralUuid: string, enable: boolean, done: (enabled: boolean) => void): void {
    const remote = this.remotes.get(peripheralUuid);
    if (remote?.link !== 'connected') {
      this.logger.warn('subscription on a peripheral that is not connected', { peripheral: peripheralUuid });
      process.nextTick(() => done(false));
      return;
    }
    remote.subscribes.push((enabled) => done(enabled));
    this.send({ type: 'subscribe', address: remote.address, enable });
  }
}

function connectError(message: Extract<SimMessage, { type: 'connect-failed' }>): FieldlineError {
  const details = { address: message.address, reason: message.code };
  switch (message.code) {
    case 'busy':
      return new FieldlineError('BLE_DEVICE_BUSY', message.message, details);
    case 'unknown':
      return new FieldlineError('BLE_DEVICE_NOT_FOUND', message.message, details);
    default:
      return new FieldlineError('BLE_LINK_LOST', message.message, details);
  }
}

export function createVirtualBinding(options: VirtualBindingOptions): VirtualBinding {
  return new VirtualNobleBinding(options);
}
