// The preload of the main window. It runs sandboxed (no Node), so scripts/build-shell.ts bundles it
// into one CommonJS file whose only require is 'electron'. It exposes the contract as window.s3sync.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('s3sync', createBridge(ipcRenderer));
