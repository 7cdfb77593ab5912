import { gatewayRegistry } from '../gateway-registry';
import type { CloudGateway } from './cloud-gateway';

/** The Cloud API gateway behind the app's gateway: its webhook routes and templates need it. */
const registry = gatewayRegistry<CloudGateway>();
export const registerCloud = registry.register;
/** The Cloud API gateway behind this gateway, if it is one. */
export const cloudBehind = registry.behind;
