/**
 * The desktop's SecretStore: Electron's safeStorage, which encrypts with a key the OS keeps (Keychain, DPAPI,
 * libsecret/kwallet). On Linux without a keyring safeStorage falls back to a fixed key ("basic_text"): that is
 * obfuscation, not encryption, so the store says it is not encrypted and the CA passphrase is then not remembered.
 * Where safeStorage cannot encrypt at all, the station's owner-only files are used instead.
 */
import type { SafeStorage } from 'electron';
import { createEncryptedSecretStore, createFileSecretStore, type SecretStore } from '../core/secrets';

export function createSafeStorageSecretStore(dataDir: string, safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>): SecretStore {
  if (!safeStorage.isEncryptionAvailable()) return createFileSecretStore(dataDir);
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  const encrypted = backend !== 'basic_text' && backend !== 'unknown';
  return createEncryptedSecretStore(dataDir, safeStorage, encrypted);
}
