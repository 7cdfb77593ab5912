import { gatewayRegistry } from '../gateway-registry';
import type { SimulatorGateway } from './simulator-gateway';

/** The simulator behind the app's gateway: its page and API need the page side under it. */
const registry = gatewayRegistry<SimulatorGateway>();
export const registerSimulator = registry.register;
/** The simulator behind this gateway, if it is one. */
export const simulatorBehind = registry.behind;
