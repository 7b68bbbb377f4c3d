// What both transports (Electron IPC, the local HTTP bridge) provide, so the rest of the renderer
// never knows which one it has: a typed call per contract channel, engine events, and the event
// stream's state.
import type { Channel, ChannelInput, ChannelOutput, EventMap, EventName } from '../../../shared/contract.js';

export type CallOptions = { signal?: AbortSignal | undefined };

/** State of the push channel (events); IPC is always 'open'. */
export type EventStreamStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

/** One typed client over whichever transport carries the contract. */
export type Transport = {
  kind: 'electron' | 'bridge';
  /** Calls a channel; resolves with its value or throws an ApiError with the server's message. */
  call: <C extends Channel>(channel: C, input: ChannelInput<C>, options?: CallOptions) => Promise<ChannelOutput<C>>;
  /** Subscribes to an engine event; returns the unsubscribe function. */
  on: <E extends EventName>(event: E, listener: (payload: EventMap[E]) => void) => () => void;
  onStatus: (listener: (status: EventStreamStatus) => void) => () => void;
  close: () => void;
};
