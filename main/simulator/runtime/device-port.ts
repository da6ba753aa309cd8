/**
 * The device's end of a pty pair, opened with the real `serialport` package (the same code the app uses), behind
 * a small interface so the link can be tested without a pty. Writes are ordered; flush() resolves once every
 * byte written so far has been handed to the OS. tcdrain (SerialPort.drain) is used only before an unplug, and
 * with a timeout: on a pty whose peer went away it could block.
 */
import { SerialPort } from 'serialport';
import { FieldlineError } from '../../errors';

export interface DevicePort {
  write(bytes: Uint8Array): void;
  /** Resolves once every byte written so far has been handed to the OS. */
  flush(): Promise<void>;
  /** Resolves once the peer (socat) has read everything, or after `timeoutMs`: before the line is cut. */
  drain(timeoutMs: number): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): void;
  close(): Promise<void>;
}

export async function openDevicePort(path: string): Promise<DevicePort> {
  // The baud rate is ignored by a pty (STACK.md); the throttle provides the timing instead.
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) =>
      err ? reject(new FieldlineError('SIMULATOR_FAILED', `cannot open the device end ${path}: ${err.message}`, {}, { cause: err })) : resolve(),
    ),
  );
  let lastWrite: Promise<void> = Promise.resolve();
  let closed = false;
  // Errors after close (EIO from a vanished peer) are expected during disconnect faults; nothing to report.
  port.on('error', () => {});
  return {
    write(bytes) {
      if (closed) return;
      lastWrite = new Promise((resolve) => port.write(Buffer.from(bytes), () => resolve()));
    },
    flush: () => lastWrite,
    async drain(timeoutMs) {
      await lastWrite;
      if (closed || !port.isOpen) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => port.drain(() => resolve())),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
    onData(listener) {
      port.on('data', (data: Buffer) => listener(new Uint8Array(data.buffer, data.byteOffset, data.length)));
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!port.isOpen) return;
      await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
