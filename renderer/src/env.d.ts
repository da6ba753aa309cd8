/** `window.fieldline`, typed from the contract: the renderer's only way to the Node side. */
import type { FieldlineApi } from '../../main/contract/api';

declare global {
  interface Window {
    /** Present in Electron (the preload); absent in a browser, where bridge/index.ts uses the web bridge. */
    readonly fieldline?: FieldlineApi;
  }
}

export {};
