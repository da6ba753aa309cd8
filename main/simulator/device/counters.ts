/**
 * Statistics counters as Zephyr's stats subsystem keeps them: in RAM, zero after every boot. The object is shared
 * with the runtime, which counts SMP frames in `smp`; resetCounters clears it in place so that reference stays valid.
 */
export interface StatsCounters {
  smp: {
    rx_frames: number;
    tx_frames: number;
    rx_bytes: number;
    tx_bytes: number;
    dropped_frames: number;
    crc_errors: number;
  };
  flash: {
    writes: number;
    bytes_written: number;
    erases: number;
    reads: number;
  };
  net: {
    rx_packets: number;
    tx_packets: number;
    rx_bytes: number;
    tx_bytes: number;
    reconnects: number;
  };
}

export function createCounters(): StatsCounters {
  return {
    smp: { rx_frames: 0, tx_frames: 0, rx_bytes: 0, tx_bytes: 0, dropped_frames: 0, crc_errors: 0 },
    flash: { writes: 0, bytes_written: 0, erases: 0, reads: 0 },
    net: { rx_packets: 0, tx_packets: 0, rx_bytes: 0, tx_bytes: 0, reconnects: 0 },
  };
}

export function resetCounters(counters: StatsCounters): void {
  for (const group of Object.values(counters) as Array<Record<string, number>>) {
    for (const key of Object.keys(group)) group[key] = 0;
  }
}
