// Electron shell only: window, security settings, IPC transport, clean shutdown. Everything else
// is app.ts, shared with headless mode.
import { app, BrowserWindow, dialog, safeStorage, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { boot, demoFlag, onShutdownSignal } from './bootstrap';
import type { ControlRoomApp } from './app';
import { createLogger } from './log';
import { appHome, defaultConfigPath } from './paths';
import type { SecretCipher } from './secrets';
import { cspFor } from './transport/csp';
import { attachIpc, type IpcTransport } from './transport/ipc';

// Both shells share one folder, so the browser fallback of `npm start` sees the same config.
app.setPath('userData', appHome());
const logger = createLogger('control-room');

const cipher: SecretCipher = {
  isAvailable: () => safeStorage.isEncryptionAvailable(),
  encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
  decrypt: (b64) => safeStorage.decryptString(Buffer.from(b64, 'base64')),
};

const devUrl = process.env.ELECTRON_RENDERER_URL;
const pageFile = join(__dirname, '../renderer/index.html');
const pageUrl = devUrl ?? pathToFileURL(pageFile).href;
const isOurPage = (url: string) => (devUrl ? url.startsWith(devUrl) : url.split(/[?#]/)[0] === pageUrl);

let controlRoom: ControlRoomApp | null = null;
let transport: IpcTransport | null = null;
let quitting = false;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    title: 'Factorio Control Room',
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the web open in the user's browser, never inside the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!isOurPage(url)) e.preventDefault();
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  return win;
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // Strict for the built page; `npm run dev` serves it from Vite, which needs inline code and a socket.
  const csp = cspFor(devUrl);
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });

  const booted = boot({
    mode: 'electron',
    configPath: defaultConfigPath(),
    logger,
    cipher,
    keepLastGood: true,
    feedScript: join(__dirname, 'feed.js'),
    demo: demoFlag(process.argv),
  });
  controlRoom = booted.app;
  if (booted.store.loadError)
    logger.warn({ error: booted.store.loadError.message }, 'config file invalid; running on the last good config');
  await controlRoom.start();

  const win = createWindow();
  transport = attachIpc(win.webContents, controlRoom.handlers, controlRoom.hub, isOurPage, logger);
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  if (devUrl) await win.loadURL(devUrl);
  else await win.loadFile(pageFile);
}

async function shutdown(): Promise<void> {
  transport?.close();
  const r = await controlRoom?.stop();
  logger.info({ timedOut: r?.timedOut ?? [] }, 'stopped');
}

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (e) => {
  if (quitting) return;
  quitting = true;
  e.preventDefault();
  void shutdown().finally(() => app.exit(0));
});
onShutdownSignal(async () => app.quit());

main().catch((e: unknown) => {
  logger.fatal({ err: e }, 'start-up failed');
  dialog.showErrorBox('Factorio Control Room could not start', e instanceof Error ? e.message : String(e));
  app.exit(1);
});
