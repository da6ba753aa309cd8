/**
 * The only door between the sandboxed renderer and the Node side: `window.fieldline`, generated from the contract.
 * Nothing of Electron (no ipcRenderer, no event objects) reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createClient } from '../main/contract/client';

const fieldline = createClient({
  invoke: (channel, args) => ipcRenderer.invoke(channel, ...args),
  subscribe: (channel, listener) => {
    const forward = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
});

contextBridge.exposeInMainWorld('fieldline', fieldline);
