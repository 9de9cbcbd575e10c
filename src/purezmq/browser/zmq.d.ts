// Types of zmq.js: ØMQ sockets over WebSocket (ZWS 2.0, RFC 45) for browsers and Node.

/** The socket types zmq.js implements (a page only connects: one peer per socket). */
export type SocketType =
  | "REQ" | "REP" | "DEALER" | "ROUTER" | "PUB" | "SUB" | "PUSH" | "PULL" | "CLIENT";

export declare const SOCKET_TYPES: readonly SocketType[];

/** One frame as given to send(): text goes out as UTF-8. */
export type Frame = string | Uint8Array | ArrayBuffer | ArrayBufferView;
/** A message: one frame, or several (multipart). */
export type Message = Frame | Frame[];

export interface SocketOptions {
  /** PLAIN (RFC 24) as the client: set either to use PLAIN instead of NULL. */
  username?: string;
  password?: string;
  /** Identity sent to the peer (REQ, DEALER, ROUTER), as libzmq's ZMQ_ROUTING_ID. */
  routingId?: Frame;
  /** First reconnect delay in ms (default 100); it doubles after each failed attempt... */
  reconnectIvl?: number;
  /** ...up to this many ms (default 5000). */
  reconnectIvlMax?: number;
  /** receive() rejects with EAGAIN after this many ms; -1 (default) waits forever. */
  receiveTimeout?: number;
  /** send() rejects with EAGAIN when not sent within this many ms; -1 (default) waits. */
  sendTimeout?: number;
  /** SUB: messages kept for receive() before new ones are dropped (default 1000). */
  highWaterMark?: number;
  /** Keep reconnecting after the server refused the PLAIN credentials (default false: the
   * socket goes to state "refused" and every call rejects with that EACCES error). */
  reconnectAfterAuthFailure?: boolean;
  /** The WebSocket class to use (default globalThis.WebSocket; in Node 20, npm `ws`). */
  WebSocket?: new (url: string, protocols: string[]) => WebSocket;
}

export type ZmqErrorCode =
  | "EACCES" | "EPROTO" | "EFSM" | "ENOTSUP" | "EINVAL" | "EAGAIN" | "ENOTSOCK" | "ECONNRESET";

/** What every failing call rejects with. */
export declare class ZmqError extends Error {
  constructor(code: ZmqErrorCode, message: string);
  readonly code: ZmqErrorCode;
}

export type SocketState = "idle" | "connecting" | "connected" | "refused" | "closed";

export interface SocketEvents {
  /** The handshake with the server is done (again, after a reconnect). */
  connect: { endpoint: string; peerType: string };
  /** A connected peer went away; the socket reconnects by itself. */
  disconnect: { endpoint: string; reason: string };
  /** A connection failed: refused credentials (EACCES), a protocol violation (EPROTO)... */
  error: ZmqError;
  /** close() was called. */
  close: undefined;
}

export declare class Socket implements AsyncIterable<Uint8Array[]> {
  constructor(type: SocketType, options?: SocketOptions);
  readonly type: SocketType;
  readonly options: Required<Omit<SocketOptions, "username" | "password" | "routingId" | "WebSocket">> & SocketOptions;
  /** The endpoint given to connect(), or "". */
  readonly endpoint: string;
  readonly state: SocketState;
  /** True while the server is connected and the handshake done. */
  readonly connected: boolean;
  /** The last connection error (a refused PLAIN login's reason...), or null. */
  readonly lastError: ZmqError | null;

  /** Connects to a ws:// or wss:// endpoint; the socket then (re)connects by itself. */
  connect(endpoint: string): void;
  /** Closes: pending calls reject with ENOTSOCK, unsent messages are dropped. */
  close(): void;
  /** Sends a message; resolves once handed to the WebSocket (waits while disconnected;
   * a PUB drops, a ROUTER drops a message for an unknown routing id). */
  send(message: Message): Promise<void>;
  /** The next message, its frames as bytes (ROUTER: the peer's routing id first). */
  receive(): Promise<Uint8Array[]>;
  /** SUB: receive messages whose first frame starts with topic ("" = all). */
  subscribe(topic?: Frame): void;
  /** SUB: undo one subscribe(topic). */
  unsubscribe(topic?: Frame): void;
  /** Listens to an event; returns a function that removes the listener. */
  on<E extends keyof SocketEvents>(event: E, listener: (detail: SocketEvents[E]) => void): () => void;
  /** Every message until close(). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array[]>;
}

/** A socket of `type` connected to `endpoint`. */
export declare function connect(type: SocketType, endpoint: string, options?: SocketOptions): Socket;
/** A frame decoded as UTF-8 text. */
export declare function text(frame: Uint8Array): string;
/** A frame as bytes (strings are UTF-8 encoded). */
export declare function toBytes(frame: Frame): Uint8Array;
