/**
 * A small noble binding for unit tests of the BLE transport: real noble (through its with-bindings seam) drives it,
 * and behind it sit scripted SMP gateways — echo, MCUmgr params, a resumable image upload — with a chosen MTU, with or
 * without reassembly of fragmented writes, and faults a test can switch on (pairing refusals, a dropped link, a
 * silent subscription). Every ATT write is recorded, so tests assert on the sizes the client really sent. The real
 * virtual gateways (`fieldline sim --ble`) are exercised by the integration tests; this is for what must be exact.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Noble } from '@abandonware/noble/with-bindings';
import { decodeCbor, encodeCbor, type CborValue } from '../smp/cbor';
import { BlePacketDecoder } from '../smp/ble-segmentation';
import { MGMT_RC } from '../smp/error-codes';
import { HEADER_SIZE, Op, decodeHeader, decodePacket, encodePacket, type SmpHeader } from '../smp/header';
import { SMP_CHARACTERISTIC_UUID, SMP_SERVICE_UUID } from '../transport/ble/uuids';

type Body = { [key: string]: CborValue };

export interface FakeGatewaySpec {
  address: string;
  name: string;
  rssi?: number;
  /** The device's largest ATT MTU; the connection gets min(client's wish, this). */
  mtu: number;
  /** CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY: fragments are joined by the header's length; without it params → ENOTSUP. */
  reassembly: boolean;
  bufSize?: number;
  bufCount?: number;
  /** Advertises the SMP service (default true); with `smpCharacteristic: false` the service lacks the characteristic. */
  advertisesSmp?: boolean;
  smpCharacteristic?: boolean;
  /** Pairing required: the connection fails with an ATT error, or the subscription is never confirmed (noble's HCI behaviour). */
  pairing?: 'connect-error' | 'silent-subscribe';
  /** Cut long replies into notifications of this many bytes instead of MTU − 3 (must be ≤ MTU − 3). */
  notificationSize?: number;
}

export interface RecordedWrite {
  address: string;
  data: Buffer;
  withoutResponse: boolean;
}

interface GatewayState {
  spec: FakeGatewaySpec;
  id: string;
  connected: boolean;
  subscribed: boolean;
  mtu: number;
  decoder: BlePacketDecoder;
  upload: { len: number; sha: string; off: number; data: Uint8Array } | undefined;
  /** Drop the link after this many more request packets (undefined: never). */
  dropAfter: number | undefined;
  /** While true the gateway neither advertises nor accepts connections. */
  away: boolean;
}

export class FakeBleBinding extends EventEmitter {
  readonly writes: RecordedWrite[] = [];
  readonly gateways = new Map<string, GatewayState>();
  scanning = false;
  connects = 0;
  private scanTimer: NodeJS.Timeout | undefined;

  constructor(
    specs: FakeGatewaySpec[],
    private readonly adapterState: 'poweredOn' | 'poweredOff' | 'unauthorized' | 'unsupported' | 'silent' = 'poweredOn',
  ) {
    super();
    for (const spec of specs) {
      const id = spec.address.replace(/:/g, '').toLowerCase();
      const state: GatewayState = {
        spec,
        id,
        connected: false,
        subscribed: false,
        mtu: 23,
        decoder: new BlePacketDecoder({ onPacket: (p) => this.handlePacket(state, p) }),
        upload: undefined,
        dropAfter: undefined,
        away: false,
      };
      this.gateways.set(id, state);
    }
  }

  /** noble around this binding. */
  noble(): Noble {
    const withBindings = createRequire(import.meta.url)('@abandonware/noble/with-bindings') as (b: EventEmitter) => Noble;
    return withBindings(this);
  }

  gateway(address: string): GatewayState {
    const g = this.gateways.get(address.replace(/:/g, '').toLowerCase());
    if (!g) throw new Error(`no fake gateway ${address}`);
    return g;
  }

  /** After `requests` more request packets the link drops; the gateway advertises again after `awayMs`. */
  dropLinkAfter(address: string, requests: number, awayMs = 50): void {
    const g = this.gateway(address);
    g.dropAfter = requests;
    this.once(`dropped:${g.id}`, () => {
      g.away = true;
      setTimeout(() => (g.away = false), awayMs);
    });
  }

  writesTo(address: string): RecordedWrite[] {
    const a = address.toLowerCase();
    return this.writes.filter((w) => w.address === a);
  }

  // ---- noble binding methods -------------------------------------------------------------------------------

  init(): void {
    if (this.adapterState === 'silent') return;
    process.nextTick(() => this.emit('stateChange', this.adapterState));
  }

  setScanParameters(): void {
    this.emit('scanParametersSet');
  }

  startScanning(_uuids?: string[], _allowDuplicates?: boolean): void {
    this.scanning = true;
    process.nextTick(() => this.emit('scanStart', false));
    const advertise = (): void => {
      for (const g of this.gateways.values()) {
        if (g.connected || g.away) continue;
        const serviceUuids = g.spec.advertisesSmp === false ? ['180f'] : [SMP_SERVICE_UUID];
        const rssi = (g.spec.rssi ?? -60) + Math.round(Math.random() * 4 - 2);
        this.emit('discover', g.id, g.spec.address, 'random', true, { localName: g.spec.name, serviceUuids, serviceData: [], txPowerLevel: undefined, manufacturerData: undefined }, rssi, true);
      }
    };
    setImmediate(advertise);
    clearInterval(this.scanTimer);
    this.scanTimer = setInterval(advertise, 20);
  }

  stopScanning(): void {
    this.scanning = false;
    clearInterval(this.scanTimer);
    this.scanTimer = undefined;
    process.nextTick(() => this.emit('scanStop'));
  }

  connect(id: string, parameters?: { mtu?: number }): void {
    const g = this.gateways.get(id);
    setImmediate(() => {
      if (!g || g.away) return this.emit('connect', id, new Error('Connection Failed to be Established (0x3e)'));
      if (g.spec.pairing === 'connect-error') return this.emit('connect', id, new Error('ATT error 0x05: Insufficient Authentication'));
      this.connects++;
      g.connected = true;
      g.subscribed = false;
      g.decoder.reset();
      g.mtu = Math.min(parameters?.mtu ?? 256, g.spec.mtu);
      this.emit('onMtu', id, g.mtu);
      this.emit('connect', id, null);
    });
  }

  cancelConnect(): void {}

  disconnect(id: string): void {
    const g = this.gateways.get(id);
    setImmediate(() => {
      if (g) g.connected = false;
      this.emit('disconnect', id, 'local host terminated connection');
    });
  }

  updateRssi(id: string): void {
    this.emit('rssiUpdate', id, this.gateways.get(id)?.spec.rssi ?? -60);
  }

  discoverServices(id: string): void {
    const g = this.gateways.get(id);
    setImmediate(() => this.emit('servicesDiscover', id, g && g.spec.advertisesSmp !== false ? [SMP_SERVICE_UUID] : []));
  }

  discoverIncludedServices(id: string, service: string): void {
    setImmediate(() => this.emit('includedServicesDiscover', id, service, []));
  }

  discoverCharacteristics(id: string, service: string): void {
    const g = this.gateways.get(id);
    const characteristics =
      g?.spec.smpCharacteristic === false ? [] : [{ uuid: SMP_CHARACTERISTIC_UUID, properties: ['write', 'writeWithoutResponse', 'notify'] }];
    setImmediate(() => this.emit('characteristicsDiscover', id, service, characteristics));
  }

  discoverDescriptors(id: string, service: string, characteristic: string): void {
    setImmediate(() => this.emit('descriptorsDiscover', id, service, characteristic, ['2902']));
  }

  notify(id: string, service: string, characteristic: string, enable: boolean): void {
    const g = this.gateways.get(id);
    if (g?.spec.pairing === 'silent-subscribe') return;
    if (g) g.subscribed = enable;
    setImmediate(() => this.emit('notify', id, service, characteristic, enable));
  }

  read(): void {}
  readValue(): void {}
  writeValue(): void {}
  readHandle(): void {}
  writeHandle(): void {}
  broadcast(): void {}
  reset(): void {}

  write(id: string, service: string, characteristic: string, data: Buffer, withoutResponse: boolean): void {
    const g = this.gateways.get(id);
    if (!g?.connected) return;
    if (data.length > g.mtu - 3) throw new Error(`ATT value of ${data.length} bytes exceeds MTU ${g.mtu} − 3`);
    this.writes.push({ address: g.spec.address.toLowerCase(), data: Buffer.from(data), withoutResponse });
    setImmediate(() => this.emit('write', id, service, characteristic));
    if (g.spec.reassembly) {
      g.decoder.push(data);
    } else {
      // Without reassembly each write is taken as a whole packet; a fragment's header promises more than arrived.
      this.handlePacket(g, new Uint8Array(data));
    }
  }

  // ---- the scripted SMP device ------------------------------------------------------------------------------

  private handlePacket(g: GatewayState, packet: Uint8Array): void {
    if (!g.connected) return;
    if (packet.length < HEADER_SIZE) return;
    const header = decodeHeader(packet);
    let reply: Body;
    if (HEADER_SIZE + header.length !== packet.length) {
      reply = { rc: MGMT_RC.ECORRUPT };
    } else {
      const { body } = decodePacket(packet);
      const request = (body.length ? decodeCbor(body).value : {}) as Body;
      reply = this.answer(g, header, request);
    }
    const out = encodePacket(
      { op: header.op === Op.Read ? Op.ReadRsp : Op.WriteRsp, version: Math.min(1, header.version), flags: 0, group: header.group, sequence: header.sequence, command: header.command },
      encodeCbor(reply),
    );
    const dropNow = g.dropAfter !== undefined && --g.dropAfter <= 0;
    setImmediate(() => {
      if (dropNow) {
        // The request was executed but the link failed before its reply went out.
        g.dropAfter = undefined;
        g.connected = false;
        this.emit(`dropped:${g.id}`);
        this.emit('disconnect', g.id, 'connection timeout (0x08)');
        return;
      }
      if (!g.connected || !g.subscribed) return;
      const size = g.spec.notificationSize ?? g.mtu - 3;
      for (let at = 0; at < out.length; at += size) {
        this.emit('read', g.id, SMP_SERVICE_UUID, SMP_CHARACTERISTIC_UUID, Buffer.from(out.subarray(at, at + size)), true);
      }
    });
  }

  private answer(g: GatewayState, header: SmpHeader, request: Body): Body {
    if (header.group === 0 && header.command === 0) return { r: String(request.d ?? '') };
    if (header.group === 0 && header.command === 6) {
      return g.spec.reassembly ? { buf_size: g.spec.bufSize ?? 2475, buf_count: g.spec.bufCount ?? 4 } : { rc: MGMT_RC.ENOTSUP };
    }
    if (header.group === 1 && header.command === 1) return this.upload(g, request);
    return { rc: MGMT_RC.ENOTSUP };
  }

  /** Zephyr's image upload, reduced to offsets: a first chunk with the interrupted upload's sha resumes it. */
  private upload(g: GatewayState, request: Body): Body {
    const off = Number(request.off);
    const data = request.data instanceof Uint8Array ? request.data : new Uint8Array(0);
    if (off === 0) {
      const sha = request.sha instanceof Uint8Array ? Buffer.from(request.sha).toString('hex') : '';
      const len = Number(request.len);
      if (g.upload && sha && g.upload.sha === sha && g.upload.len === len) return { off: g.upload.off };
      g.upload = { len, sha, off: 0, data: new Uint8Array(len) };
    }
    const u = g.upload;
    if (!u) return { off: 0 };
    if (off !== u.off) return { off: u.off };
    u.data.set(data, off);
    u.off += data.length;
    return { off: u.off };
  }
}
