/// <reference types="vite/client" />
import type { ControlRoomBridge } from '../../preload/index';

declare global {
  interface Window {
    /** Present in the Electron app (preload); absent in a browser, where the WebSocket client is used. */
    controlRoom?: ControlRoomBridge;
  }
}
