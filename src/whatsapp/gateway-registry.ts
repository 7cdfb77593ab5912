import type { WhatsAppGateway } from './gateway';

/**
 * The app passes one `WhatsAppGateway` around (throttle and lease outermost); a gateway's own HTTP
 * routes or Slack surfaces need the concrete gateway under it. A registry remembers which outer
 * gateway stands for which, without widening the port for the other gateways.
 */
export function gatewayRegistry<T extends object>(): { register(outer: WhatsAppGateway, inner: T): WhatsAppGateway; behind(gateway: WhatsAppGateway): T | undefined } {
  const map = new WeakMap<WhatsAppGateway, T>();
  return {
    register(outer, inner) {
      map.set(outer, inner);
      return outer;
    },
    behind: (gateway) => map.get(gateway),
  };
}
