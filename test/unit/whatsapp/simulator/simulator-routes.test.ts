import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimulatorGateway } from '../../../../src/whatsapp/simulator/simulator-gateway';
import { simulatorRoutes } from '../../../../src/whatsapp/simulator/simulator-routes';

/** A request as Node hands it to a route, from `remoteAddress`, naming `host`. */
function requestFrom(remoteAddress: string, host = 'localhost:3000', extra: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress }, headers: { host, ...extra }, on: () => undefined } as unknown as IncomingMessage;
}

function response() {
  const answer = { status: 0, body: '' };
  const res = {
    headersSent: false,
    writeHead(status: number) {
      answer.status = status;
      return res;
    },
    end(body = '') {
      answer.body = String(body);
    },
  };
  return { res: res as unknown as ServerResponse, answer };
}

function page(isPublic: boolean) {
  const route = simulatorRoutes(new SimulatorGateway(() => new Date()), { public: isPublic }).find((r) => r.path === '/simulator')!;
  return (remoteAddress: string, host?: string, extra?: Record<string, string>) => {
    const { res, answer } = response();
    route.handler(requestFrom(remoteAddress, host, extra), res);
    return answer;
  };
}

describe('who may open the simulator', () => {
  it('when a request comes from another machine, then it is refused with 403 and a reason, unless SIMULATOR_PUBLIC=true', () => {
    const local = page(false);
    expect(local('127.0.0.1').status).toBe(200);
    expect(local('::1', '[::1]:3000').status).toBe(200);
    expect(local('::ffff:127.0.0.1').status).toBe(200);
    const refused = local('192.0.2.7');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: expect.stringContaining('SIMULATOR_PUBLIC=true') });
    expect(local('::ffff:10.1.2.3').status).toBe(403);
    expect(page(true)('192.0.2.7', 'switchboard.example.com').status).toBe(200);
  });

  it('when a local request names a foreign host (DNS rebinding), then it is refused', () => {
    expect(page(false)('127.0.0.1', 'attacker.example:3000').status).toBe(403);
  });

  it('when a reverse proxy or tunnel on this machine relays a request (loopback socket, local Host), then it is refused', () => {
    // nginx with `proxy_pass http://127.0.0.1:3000` connects from loopback and sends Host 127.0.0.1.
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host']) {
      expect(page(false)('127.0.0.1', '127.0.0.1:3000', { [header]: '203.0.113.9' }).status).toBe(403);
    }
    expect(page(true)('127.0.0.1', '127.0.0.1:3000', { 'x-forwarded-for': '203.0.113.9' }).status).toBe(200);
  });
});
