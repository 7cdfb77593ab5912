import type { WhatsAppGateway } from '../gateway';
import type { CloudGateway } from './cloud-gateway';

/**
 * The app passes one `WhatsAppGateway` around; the webhook routes need the Cloud API gateway
 * itself (to hand it what Meta sends). This remembers which outer gateway stands for which, without
 * widening the port for the other gateways (as the simulator's registry does).
 */
const behind = new WeakMap<WhatsAppGateway, CloudGateway>();

export function registerCloud(outer: WhatsAppGateway, cloud: CloudGateway): WhatsAppGateway {
  behind.set(outer, cloud);
  return outer;
}

/** The Cloud API gateway behind this gateway, if it is one. */
export function cloudBehind(gateway: WhatsAppGateway): CloudGateway | undefined {
  return behind.get(gateway);
}
