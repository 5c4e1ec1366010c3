// Electron transport: one invoke channel and one push channel carrying the contract. Only our own
// page's main frame may call; the IPC event object never reaches the renderer.
import { ipcMain, type WebContents, type WebFrameMain } from 'electron';
import { INVOKE_CHANNEL, PUSH_CHANNEL, type PushName } from '../../shared/api';
import type { Logger } from '../log';
import { dispatch, type Handlers } from './dispatch';
import type { PushClient, PushHub } from './push';

export interface IpcTransport {
  close(): void;
}

/** `isOurPage(url)` decides whether a frame URL is the app's own renderer. */
export function attachIpc(
  contents: WebContents,
  handlers: Handlers,
  hub: PushHub,
  isOurPage: (url: string) => boolean,
  logger: Logger,
): IpcTransport {
  const client: PushClient = hub.attach({
    send: (name: PushName, payload: unknown) => {
      if (!contents.isDestroyed()) contents.send(PUSH_CHANNEL, name, payload);
    },
  });
  const trusted = (frame: WebFrameMain | null) =>
    frame !== null && frame === contents.mainFrame && isOurPage(frame.url);
  ipcMain.handle(INVOKE_CHANNEL, async (event, method: unknown, payload: unknown) => {
    if (event.sender !== contents || !trusted(event.senderFrame)) {
      logger.warn({ url: event.senderFrame?.url }, 'refused IPC from a foreign frame');
      return { ok: false, error: { code: 'forbidden', message: 'not allowed from this frame' } };
    }
    return dispatch(handlers, method, payload, { client }, logger);
  });
  // A reload is a new page: hold pushes until it says it is ready again.
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) client.reset();
  });
  return {
    close() {
      ipcMain.removeHandler(INVOKE_CHANNEL);
      client.detach();
    },
  };
}
