/** `window.fieldline`, typed from the contract: the renderer's only way to the Node side. */
import type { FieldlineApi } from '../../main/contract/api';

declare global {
  interface Window {
    readonly fieldline: FieldlineApi;
  }
}

export {};
