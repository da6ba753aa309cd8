/** The messages between pkcs11-remote.ts and its worker (pkcs11-worker.ts): one request, one reply, by id. */
import type { ErrorCode } from '../contract/errors';
import type { KeyProtection, TokenInfoSummary, TokenKeyInfo, TokenLocation } from './pkcs11-token';

/** A key as the worker names it to the main thread: its object handles stay in the worker. */
export interface RemoteKey extends TokenKeyInfo {
  ref: number;
}

export type Pkcs11Request =
  | { id: number; op: 'open'; options: TokenLocation & { pin: string; timeoutMs: number } }
  | { id: number; op: 'generate'; session: number; label: string; curve: 'P-256' | 'P-384' }
  | { id: number; op: 'find'; session: number; match: { label?: string; id?: string } }
  | { id: number; op: 'sign'; session: number; key: number; digest: Uint8Array }
  | { id: number; op: 'protection'; session: number; key: number }
  | { id: number; op: 'destroy'; session: number; key: number }
  | { id: number; op: 'close'; session: number };

export interface OpenedReply {
  session: number;
  token: TokenInfoSummary;
  location: TokenLocation;
}

export type Pkcs11Value = OpenedReply | RemoteKey | Uint8Array | KeyProtection | null;

export type Pkcs11Reply =
  | { id: number; ok: true; value: Pkcs11Value }
  | { id: number; ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> } }
  | { id: number; ok: false; bug: string };
