/**
 * The device's end of a virtual gateway's serial line, behind a small interface so the link can be tested without
 * a pty: socat's standard input and output in the running simulator (pty-link.ts), a fake in tests. Writes are
 * ordered; flush() resolves once every byte written so far has been handed to the OS.
 */
export interface DevicePort {
  write(bytes: Uint8Array): void;
  /** Resolves once every byte written so far has been handed to the OS. */
  flush(): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): void;
  close(): Promise<void>;
}
