/**
 * The stable error codes of Fieldline and the words a technician reads for each, with the fix where there is one.
 * Expected failures travel as values carrying one of these codes; codes are never renamed or reused, so logs, run
 * records and the CLI's JSON output stay comparable across versions.
 */

interface ErrorText {
  readonly message: string;
  readonly hint?: string;
}

export const ERROR_CODES = {
  PORT_PERMISSION_DENIED: {
    message: 'Permission denied on the serial port',
    hint:
      'add yourself to the dialout group (sudo usermod -aG dialout $USER, then log out and in) ' +
      'or install resources/udev/99-fieldline.rules',
  },
  PORT_BUSY: {
    message: 'The serial port is in use by another program',
    hint: 'close the other program (serial monitor, modem manager, another Fieldline window) and try again',
  },
  PORT_NOT_FOUND: {
    message: 'The serial port does not exist',
    hint: 'check the cable, then pick the port again from the Devices list (on the command line: `fieldline ports`)',
  },
  PORT_NOT_SERIAL: {
    message: 'Not a serial port',
    hint: "give the gateway's serial port: `fieldline ports` lists the serial ports (a virtual gateway's is the one `fieldline sim` printed)",
  },
  PORT_VANISHED: {
    message: 'The device was unplugged during the operation',
    hint: 'reconnect the device and start the operation again',
  },
  PORT_OPEN_FAILED: {
    message: 'The serial port could not be opened',
  },
  DEVICE_TIMEOUT: {
    message: 'The device did not answer in time',
    hint: 'check that the gateway is powered and running firmware with MCUmgr (SMP) enabled',
  },
  DEVICE_DISCONNECTED: {
    message: 'The device disconnected',
    hint: 'reconnect the device and try again',
  },
  SMP_ERROR: {
    message: 'The device returned an SMP error',
  },
  SMP_GROUP_ERROR: {
    message: 'The device reported an error in an SMP group',
  },
  SMP_MALFORMED: {
    message: 'The device sent a malformed frame or packet',
    hint: 'check that nothing else (a shell or log output) shares the serial line with SMP',
  },
  UPLOAD_STALLED: {
    message: 'The upload stopped making progress',
    hint: 'check the connection and start the upload again; it resumes where the device left off',
  },
  UPLOAD_REJECTED: {
    message: 'The device rejected the upload',
    hint: 'check that the image is built and signed for this device',
  },
  INVALID_ARGUMENT: {
    message: 'Invalid argument',
  },
  USAGE: {
    message: 'Usage error',
    hint: 'add --help to the command to see its options and arguments',
  },
  FILE_NOT_FOUND: {
    message: 'File not found',
  },
  FILE_NOT_REGULAR: {
    message: 'Not a regular file',
    hint: 'give the path of a regular file: directories, devices, FIFOs and sockets are never read',
  },
  FILE_UNREADABLE: {
    message: 'The file cannot be read',
    hint: 'check that the file is yours or readable by you (ls -l), and that no folder on its path is closed to you',
  },
  FILE_TOO_LARGE: {
    message: 'The file is larger than allowed',
    hint: 'a profile may be at most 1 MiB and its firmware image at most 32 MiB',
  },
  PROFILE_TOO_COMPLEX: {
    message: 'The profile is too large or too complex to load safely',
    hint:
      'a profile may have at most 10,000 keys, 64 levels of nesting and 100 YAML aliases, and must not take ' +
      'seconds to check: remove the repetition (or split the profile)',
  },
  PROFILE_LOADER_BUSY: {
    message: 'Too many profiles are being checked at once',
    hint: 'wait for the imports under way to finish, then try again',
  },
  PROFILE_INVALID: {
    message: 'The profile has problems',
    hint: 'fix each problem at the line shown (`fieldline profile lint <file>` lists them all) and try again',
  },
  PROFILE_SIGNATURE: {
    message: 'The profile is not signed by a trusted publisher',
    hint:
      'use the profile exactly as its publisher signed it (`fieldline profile verify <file>`), or put the ' +
      "publisher's public key in the data directory's trust/ folder",
  },
  PROFILE_UNRELEASED: {
    message: 'The profile is not a release of the channel this station follows',
    hint: 'use a released profile (`fieldline profile list` marks them; `fieldline sync --once` pulls new ones), or pass --allow-unreleased (a supervisor; audited)',
  },
  RELEASE_REFUSED: {
    message: 'A release was refused',
    hint: "the artifact changed after its publisher signed it, or the publisher's key is not in the data directory's trust/ folder; `fieldline sync --once` says which",
  },
  VISIT_NO_DEVICES: {
    message: 'The registry has none of the devices asked for the visit',
    hint: 'check the site name (the `site` variable the devices were provisioned with) or the serials; a device is in the registry once a station that provisioned it has synced',
  },
  TRUST_KEY_INVALID: {
    message: 'A trusted publisher key could not be read',
    hint: 'each trust/*.pub.pem must be an Ed25519 public key in PEM, as `fieldline profile keygen` writes it',
  },
  TEMPLATE_MISSING_VARIABLE: {
    message: 'The profile needs a value that was not given',
    hint: 'pass each missing batch variable with --var name=value, or give it a default in the profile',
  },
  TEMPLATE_VARIABLE_INVALID: {
    message: 'A variable value does not fit the profile',
    hint: "check the value against the variable's pattern in the profile (`fieldline profile show <file>`)",
  },
  UDEV_MISSING: {
    message: 'udevadm not found: cannot list serial ports',
    hint: 'install the udev package (sudo apt-get install udev), or type the port path by hand',
  },
  SIMULATOR_FAILED: {
    message: 'The virtual gateway failed',
  },
  SOCAT_MISSING: {
    message: 'socat not found: cannot create virtual serial ports',
    hint: 'install socat (sudo apt-get install socat)',
  },
  STORE_UNAVAILABLE: {
    message: 'The local store could not be opened or written',
    hint: 'check that the data directory exists, is yours and is writable, and that the disk is not full',
  },
  STORE_BUSY: {
    message: 'The local store is busy in another Fieldline window or command',
    hint: 'wait for the other window or command to finish its work and try again',
  },
  STORE_CORRUPT: {
    message: 'The local store is damaged or is not a Fieldline store',
    hint:
      'check --data-dir points at a Fieldline data directory; otherwise restore fieldline.db from a backup, or run ' +
      '`fieldline store reset` to start a new one (it keeps the damaged file beside it for support: runs not yet ' +
      'synced are in it)',
  },
  STORE_DISK_FULL: {
    message: 'The disk that holds the local store is full',
    hint:
      'free space on that disk (or point --data-dir / FIELDLINE_DATA_DIR at a disk with room) and run the command ' +
      'again; a run left unfinished is repaired by the next run of its device',
  },
  STORE_MISSING: {
    message: 'The local store is missing or empty, but this data directory has had runs and audit entries',
    hint:
      'restore fieldline.db from a backup into the data directory, or run `fieldline store reset` to start a new, ' +
      'empty store deliberately',
  },
  STORE_TOO_NEW: {
    message: 'The local store was written by a newer version of Fieldline',
    hint: 'update Fieldline: the desktop app and the CLI that share a data directory must be the same version',
  },
  RUN_NOT_FOUND: {
    message: 'No such run',
    hint: '`fieldline runs list` shows the runs in this data directory (or pass the right --data-dir)',
  },
  RUN_ID_AMBIGUOUS: {
    message: 'More than one run starts with that id',
    hint: 'type more characters of the run id',
  },
  AUDIT_BROKEN: {
    message: 'The audit log has been tampered with',
    hint:
      'an entry was edited, deleted or reordered outside Fieldline: copy the data directory as evidence before ' +
      'anything else and report it to whoever is responsible for this station',
  },
  CA_NOT_INITIALIZED: {
    message: 'This station has no certificate authority yet',
    hint: 'run `fieldline ca init` (development) or `fieldline ca import` (an intermediate from your organisation)',
  },
  CA_EXISTS: {
    message: 'This station already has a certificate authority',
    hint: 'add --force to replace it (the old one is kept in a ca-replaced-… folder beside it)',
  },
  CA_PASSPHRASE: {
    message: 'Wrong CA passphrase',
    hint: 'check FIELDLINE_CA_PASSPHRASE or type the passphrase chosen at `fieldline ca init` / `ca import`',
  },
  CA_PASSPHRASE_REQUIRED: {
    message: 'The station CA passphrase is needed and there is no terminal to ask for it',
    hint: 'set FIELDLINE_CA_PASSPHRASE in the environment, or run the command in a terminal',
  },
  CA_PASSPHRASE_WEAK: {
    message: 'The CA passphrase is too short',
    hint: 'use at least 8 characters; a few random words are easy to type and hard to guess',
  },
  CA_FILES_INVALID: {
    message: 'The station CA files are damaged',
    hint: 'restore the ca folder of the data directory from a backup, or make a new CA with `fieldline ca init --force`',
  },
  CA_IMPORT_INVALID: {
    message: 'The certificate authority cannot be imported',
    hint: 'import the intermediate certificate, its own private key and the chain up to the root (PEM files)',
  },
  CA_VALIDITY: {
    message: 'The station CA cannot issue this certificate',
    hint: 'shorten the validity in the profile, or renew the station CA (`fieldline ca init --force` or `ca import`)',
  },
  PKCS11_UNAVAILABLE: {
    message: 'The PKCS#11 module cannot be loaded',
    hint: 'check the module path (Debian SoftHSM2: /usr/lib/softhsm/libsofthsm2.so) and that Fieldline was installed with its pkcs11js dependency',
  },
  PKCS11_TOKEN: {
    message: 'The PKCS#11 token or its key cannot be used',
    hint: 'check that the token is inserted and its label is right (`fieldline ca show` names the CA’s token and key; `pkcs11-tool --list-slots` lists the tokens present), and that the key is on it',
  },
  PKCS11_PIN: {
    message: 'The PKCS#11 token refused the PIN',
    hint: 'check FIELDLINE_PKCS11_PIN or type the token user PIN; after too many wrong PINs the token locks and its security officer must reset it',
  },
  PKCS11_PIN_REQUIRED: {
    message: 'The PKCS#11 token PIN is needed and there is no terminal to ask for it',
    hint: 'set FIELDLINE_PKCS11_PIN in the environment, or run the command in a terminal',
  },
  CSR_INVALID: {
    message: 'The device sent an unacceptable certificate request',
    hint: 'erase the identity slot and run again; if it repeats, the device firmware builds its request wrongly',
  },
  CANCELLED: {
    message: 'Cancelled',
  },
  RUN_INTERRUPTED: {
    message: 'The run stopped before it ended: the program running it was closed or killed',
    hint: 'provision the device again (its next run puts it back as it was), or run `fieldline repair` to revoke what the run issued',
  },
  DEVICE_IDENTIFY_FAILED: {
    message: 'The device could not be identified',
    hint: "check the profile's identify command and pattern against the device's shell output",
  },
  FIRMWARE_UPDATE_FAILED: {
    message: 'The firmware update did not take',
    hint: 'check that the image is built and signed for this device; the device keeps running its old firmware',
  },
  FIRMWARE_UNSIGNED: {
    message: 'The firmware image is not signed',
    hint: "sign it with imgtool (`imgtool sign --key KEY.pem …`) using a key whose public half is in the profile's firmware.signingKeys",
  },
  FIRMWARE_KEY_UNTRUSTED: {
    message: 'The firmware image is signed by a key that is not trusted',
    hint: "sign the image with one of the profile's firmware.signingKeys, or add the signer's public key there (`--key` for `fieldline firmware verify`)",
  },
  FIRMWARE_SIGNATURE_INVALID: {
    message: 'The firmware image signature does not verify',
    hint: 'the image was changed after it was signed, or signed wrongly: sign it again with imgtool',
  },
  FIRMWARE_HASH_MISMATCH: {
    message: "The firmware image does not match its own SHA-256 (a byte was changed after it was built)",
    hint: 'build and sign the image again, or get an intact copy',
  },
  FIRMWARE_IMAGE_MALFORMED: {
    message: 'The file is not a well-formed MCUboot image',
    hint: 'give the signed image imgtool wrote (zephyr.signed.bin), not the raw zephyr.bin or a hex file',
  },
  FIRMWARE_KEY_INVALID: {
    message: 'A firmware signing key could not be read',
    hint: 'give a PEM public key (-----BEGIN PUBLIC KEY-----): RSA-2048 or RSA-3072, ECDSA P-256 or Ed25519, e.g. from `imgtool getpub --encoding pem`',
  },
  IDENTITY_EXISTS: {
    message: 'The device already holds an identity certificate',
    hint: "set the profile's identity.existing to keep (verify and keep it) or replace (issue a new one, revoke the old), or rework the unit: the Station screen's rework mode, or `fieldline batch --rework keep|replace` (`--reprovision` is replace)",
  },
  IDENTITY_KEEP_FAILED: {
    message: 'The identity on the device cannot be kept',
    hint: 'rework the unit with replace (`--rework replace`, or identity.existing: replace) to give it a new certificate',
  },
  REPLACE_NO_PASSED_RUN: {
    message: 'The old unit has no passed run to take its variables from',
    hint: 'check the serial with `fieldline runs list --serial SERIAL`; a unit never provisioned here is provisioned with `fieldline provision`',
  },
  REPLACE_SAME_DEVICE: {
    message: 'The new unit reports the serial of the unit it should replace',
    hint: 'connect the replacement unit (not the old one) and give its port or BLE name',
  },
  REPLACE_ALREADY_REPLACED: {
    message: 'The old unit was already replaced',
    hint: 'see `fieldline replacements SERIAL`; replace the unit that took its place instead',
  },
  CONFIG_MISMATCH: {
    message: 'The device did not keep the configuration written to it',
    hint: 'a setting or file read back differs from what was written; check the firmware handles these settings',
  },
  BUNDLE_INVALID: {
    message: 'The bundle was refused',
    hint: 'the file is damaged or was altered; export it again on the station that made it',
  },
  REGISTRY_UNREACHABLE: {
    message: 'The registry cannot be reached',
    hint: 'records stay queued and are sent when it is back; check the network or the URL given to `fieldline registry login`',
  },
  REGISTRY_REJECTED: {
    message: 'The registry refused the request',
  },
  REGISTRY_AUTH: {
    message: 'The registry refused the station token',
    hint: 'get a new token from the registry administrator and run `fieldline registry login` again',
  },
  REGISTRY_BAD_REPLY: {
    message: 'The registry answered something this station does not understand',
    hint: 'check that the URL points at a Fieldline registry of a compatible version; records stay queued',
  },
  REGISTRY_NOT_CONFIGURED: {
    message: 'This station is not connected to a registry',
    hint: 'run `fieldline registry login --url URL --token-stdin`',
  },
  REGISTRY_TOKEN_NEEDED: {
    message: 'The registry needs its station token',
    hint: 'a token is sent only to the registry it was given for: after a URL change give it again (Settings, or `fieldline registry login --url URL --token-stdin`)',
  },
  STATION_KEY_UNAVAILABLE: {
    message: "The station's bundle-signing key cannot be opened",
    hint:
      "it is sealed with this machine's key (FIELDLINE_KEY_DIR, by default the user's local state folder): run as the user and on the machine " +
      'that made it; or move station-key.sealed.json out of the data directory to make a new key, and register it with `fieldline registry login`',
  },
  DIAGNOSTICS_FAILED: {
    message: 'Acceptance diagnostics failed',
    hint: 'see each diagnostic with its measured value and limits in the run record',
  },
  DEVICE_NOT_FOUND: {
    message: 'That device is no longer connected',
    hint: 'plug the device in again, or pick it again from the device list',
  },
  DEVICE_BUSY: {
    message: 'The device is busy with another operation',
    hint: 'wait for the run on this device to finish, or cancel it',
  },
  CA_LOCKED: {
    message: 'The station CA is locked',
    hint: 'unlock it in Settings with its passphrase (or start the station with FIELDLINE_CA_PASSPHRASE set)',
  },
  PROFILE_NOT_FOUND: {
    message: 'No such profile on this station',
    hint: 'pick a profile from the list, or import it first',
  },
  STATION_UNREACHABLE: {
    message: 'The connection to the station was lost',
    hint: 'check that `fieldline station` is still running on the station; this page reconnects by itself',
  },
  PROFILE_EXISTS: {
    message: 'A profile with that file name is already on this station',
    hint: 'import it under another file name, or choose to replace the existing one',
  },
  LABEL_NOT_PASSED: {
    message: 'Labels are printed only for runs that passed',
    hint: 'provision the device again; print its label from the passing run (`fieldline runs list --serial <serial>`)',
  },
  PRINTER_UNREACHABLE: {
    message: 'The label printer cannot be reached',
    hint: 'check that the printer is on, on the network, and listens for raw print jobs on the given port (usually 9100)',
  },
  SCAN_INVALID: {
    message: 'The scanned code cannot be used',
    hint:
      'scan the label again; the scanner must type the plain text of the label followed by Enter (keyboard-wedge ' +
      'mode, no prefix or GS1 separators), and a batch variable is scanned as NAME=value',
  },
  SCAN_SLOT_BUSY: {
    message: 'That slot is already provisioning a gateway',
    hint: 'scan the label before the gateway is plugged in, or bind it to the next free slot (no slot chosen)',
  },
  SLOT_NOT_FOUND: {
    message: 'No gateway in that slot',
    hint: 'the gateway was unplugged or the line stopped; plug it in again (the line starts it by itself)',
  },
  SLOT_BUSY: {
    message: 'That slot is provisioning or has passed',
    hint: 'wait for its run to end, or stop it first; a gateway that passed is provisioned again only by a rework session',
  },
  LINE_RUNNING: {
    message: 'The line is already running',
    hint: 'stop the line on the Station screen before starting it with another profile or settings',
  },
  LINE_NOT_RUNNING: {
    message: 'The line is not running',
    hint: 'start the line on the Station screen (pick the profile, then Start line), then scan again',
  },
  BLE_NO_ADAPTER: {
    message: 'No Bluetooth adapter',
    hint: 'plug in or enable a Bluetooth LE adapter (check `bluetoothctl list`); for virtual gateways use --ble-adapter virtual',
  },
  BLE_ADAPTER_OFF: {
    message: 'The Bluetooth adapter is switched off',
    hint: 'switch Bluetooth on (`bluetoothctl power on`, or the system settings) and try again',
  },
  BLE_PERMISSION: {
    message: 'Not allowed to use the Bluetooth adapter',
    hint:
      'raw HCI sockets need the CAP_NET_RAW and CAP_NET_ADMIN capabilities: ' +
      'sudo setcap cap_net_raw,cap_net_admin+eip "$(readlink -f "$(command -v node)")" (or run the packaged app, which is granted them at install)',
  },
  BLE_PAIRING_REQUIRED: {
    message: 'The gateway requires pairing before it accepts management commands',
    hint: 'pair with it first (`bluetoothctl pair <address>`, confirming the passkey shown by the gateway), then try again',
  },
  BLE_DEVICE_NOT_FOUND: {
    message: 'No Bluetooth gateway with that name or address was found',
    hint: 'check that the gateway is powered and advertising nearby; `fieldline ble scan` lists the gateways in range',
  },
  BLE_NOT_SMP: {
    message: 'The Bluetooth device does not offer the SMP (MCUmgr) service',
    hint: 'check that the gateway firmware has MCUmgr over Bluetooth enabled (CONFIG_MCUMGR_TRANSPORT_BT)',
  },
  BLE_LINK_LOST: {
    message: 'The Bluetooth link to the gateway was lost',
    hint: 'move closer to the gateway or remove sources of interference, then try again',
  },
  BLE_VIRTUAL_UNREACHABLE: {
    message: 'No virtual Bluetooth gateways are running',
    hint: 'start them with `fieldline sim --ble` (they listen on FIELDLINE_BLE_SOCKET, default <tmp>/fieldline-ble.sock)',
  },
  BLE_DEVICE_BUSY: {
    message: 'The Bluetooth gateway is connected to another device',
    hint: 'a gateway accepts one connection at a time: disconnect the other phone, laptop or Fieldline window, then try again',
  },
  BLE_SIM_SOCKET_IN_USE: {
    message: 'Another virtual Bluetooth simulator is already running on this socket',
    hint: 'stop the other `fieldline sim --ble`, or start this one with --ble-socket PATH (and point the app at it with FIELDLINE_BLE_SOCKET=PATH)',
  },
  PERMISSION_DENIED: {
    message: 'Not allowed',
    hint: 'sign in as an operator whose role holds it (on the command line: --operator NAME), or ask an admin',
  },
  OPERATOR_SIGN_IN_REQUIRED: {
    message: 'Sign in first',
    hint: 'this station has operators: give --operator NAME (the secret is asked), or set FIELDLINE_OPERATOR and FIELDLINE_OPERATOR_SECRET',
  },
  OPERATOR_SIGN_IN_FAILED: {
    message: 'Unknown operator or wrong secret',
  },
  OPERATOR_LOCKED: {
    message: 'Too many wrong secrets: the operator is locked for a while',
    hint: 'wait until the time given, then try again; an admin can set a new secret with fieldline operator passwd',
  },
  OPERATOR_DISABLED: {
    message: 'The operator is disabled',
    hint: 'an admin can add a new operator with fieldline operator add',
  },
  OPERATOR_EXISTS: {
    message: 'An operator of that name exists already (names are compared without case)',
  },
  OPERATOR_NOT_FOUND: {
    message: 'No operator of that name',
    hint: 'fieldline operator list shows the operators',
  },
  INTERNAL: {
    message: 'Internal error',
    hint: 'this is a bug in Fieldline; please report it with the log file',
  },
  SERVICE_NO_BASIS: {
    message: 'No passed provisioning run of this device is known, so the profile it was provisioned with is unknown',
    hint: 'prepare a visit kit for its site or serial while online (`fieldline visit prepare --site NAME`), or provision the device with `fieldline provision`',
  },
  SERVICE_PROFILE_UNAVAILABLE: {
    message: 'The profile the device was provisioned with is not at hand',
    hint: 'prepare a visit kit while online (`fieldline visit prepare`), which pulls released profiles, or import the profile into this station',
  },
} as const satisfies Record<string, ErrorText>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected failure as the UI, the CLI and the wire see it. */
export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
}

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The technician's words for `code`; `detail` (a port path, a file name, the device's reply) is appended. */
export function describeError(code: ErrorCode, detail?: string): ErrorInfo {
  const text: ErrorText = ERROR_CODES[code];
  const message = detail ? `${text.message}: ${detail}` : text.message;
  return text.hint === undefined ? { code, message } : { code, message, hint: text.hint };
}
