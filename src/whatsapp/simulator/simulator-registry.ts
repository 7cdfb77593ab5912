import type { WhatsAppGateway } from '../gateway';
import type { SimulatorGateway } from './simulator-gateway';

/**
 * The app passes one `WhatsAppGateway` around (throttle and lease outermost); the simulator's
 * HTTP routes need the page side under it. This remembers which outer gateway stands for which
 * simulator, without widening the port for the other gateways.
 */
const behind = new WeakMap<WhatsAppGateway, SimulatorGateway>();

export function registerSimulator(outer: WhatsAppGateway, simulator: SimulatorGateway): WhatsAppGateway {
  behind.set(outer, simulator);
  return outer;
}

/** The simulator behind this gateway, if it is one. */
export function simulatorBehind(gateway: WhatsAppGateway): SimulatorGateway | undefined {
  return behind.get(gateway);
}
