// The module's preload (window.billing, from the IPC contract) plus the host's own bridge.
import '../../../../src/preload'
import { contextBridge, ipcRenderer } from 'electron'

contextBridge.exposeInMainWorld('host', {
  askAi: (prompt: string): Promise<unknown> => ipcRenderer.invoke('host-app:ask-ai', prompt)
})
