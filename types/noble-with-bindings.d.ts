/**
 * `@abandonware/noble/with-bindings` (noble's seam for a custom HCI binding) ships without types. It takes a binding
 * — an EventEmitter with noble's binding methods (lib/noble.js lists them) — and returns a Noble instance shaped like
 * the package's main export.
 */
declare module '@abandonware/noble/with-bindings' {
  import type { EventEmitter } from 'node:events';
  import type * as noble from '@abandonware/noble';

  export type Noble = typeof noble;
  function withBindings(bindings: EventEmitter): Noble;
  export default withBindings;
}
