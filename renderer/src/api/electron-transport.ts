// The Electron transport: preload exposes `window.latchkey`, one function per
// channel plus `on(event, cb)`, typed as RendererApi. Main validates the input
// with zod and answers with the same Result shape as the bridge.
import type { CallMeta, Channel, ChannelInput, ChannelOutput, RendererApi, Result } from '../../../shared/contract.js';
import { actingAsMeta } from './acting-as.js';
import { ApiError } from './api-error.js';
import type { CallOptions, Transport } from './transport.js';

export function createElectronTransport(api: RendererApi): Transport {
  async function call<C extends Channel>(
    channel: C,
    input: ChannelInput<C>,
    opts?: CallOptions,
  ): Promise<ChannelOutput<C>> {
    const fn = api[channel] as unknown as ((i: ChannelInput<C>, meta?: CallMeta) => Promise<Result<ChannelOutput<C>>>) | undefined;
    if (typeof fn !== 'function') {
      throw new ApiError(`This version of the desktop shell does not offer "${channel}"`, 'transport', channel);
    }
    if (opts?.signal?.aborted) throw new ApiError('Request cancelled', 'aborted', channel);
    let result: Result<ChannelOutput<C>>;
    try {
      const meta = actingAsMeta();
      result = await (meta ? fn(input, meta) : fn(input));
    } catch (error) {
      throw new ApiError(error instanceof Error ? error.message : 'IPC call failed', 'transport', channel);
    }
    // IPC cannot be cancelled; a caller that gave up simply gets no answer.
    if (opts?.signal?.aborted) throw new ApiError('Request cancelled', 'aborted', channel);
    if (!result.ok) throw new ApiError(result.error, result.code, channel);
    return result.value;
  }

  return {
    kind: 'electron',
    call,
    on: (event, listener) => api.on(event, listener),
    onStatus(listener) {
      listener('open');
      return () => undefined;
    },
    close: () => undefined,
  };
}
