import WebSocket from "ws";

export interface WsConnection {
  socket: WebSocket;
  /** Every JSON frame received, in order. */
  frames: any[];
  /** Resolves with the first frame (from `from` on) that matches. */
  waitFor(match: (frame: any) => boolean, from?: number): Promise<any>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
}

/** A real-socket WebSocket client (the `ws` package) that parses every text frame as JSON. */
export function wsConnect(url: string, options: WebSocket.ClientOptions = {}): Promise<WsConnection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    const frames: any[] = [];
    const waiters: { match: (f: any) => boolean; from: number; resolve: (f: any) => void }[] = [];
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      socket.once("close", (code, reason) => r({ code, reason: reason.toString() })),
    );
    socket.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      frames.push(frame);
      for (const w of [...waiters]) {
        if (frames.length - 1 >= w.from && w.match(frame)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    socket.once("error", reject);
    socket.once("open", () =>
      resolve({
        socket,
        frames,
        closed,
        send: (frame) => socket.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
        waitFor: (match, from = 0) => {
          const found = frames.slice(from).find(match);
          if (found) return Promise.resolve(found);
          return new Promise((r) => waiters.push({ match, from, resolve: r }));
        },
      }),
    );
  });
}
