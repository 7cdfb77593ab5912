import type { types } from '@slack/bolt';
import type { ReadinessReport } from '../../health';
import { gatewayStateLine } from './gateway-state';

/** App Home: the state of the bridge, for anyone who opens the app. */
export function homeView(report: ReadinessReport): types.HomeView {
  const wa = report.whatsapp;
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Switchboard' } },
      {
        type: 'section',
        fields: [
          {
            type: 'mrkdwn',
            text: `*WhatsApp*\n${gatewayStateLine(wa)}`,
          },
          { type: 'mrkdwn', text: `*Store*\n${report.store.ok ? ':large_green_circle: reachable' : ':red_circle: unreachable'}` },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Type `/wa help` in any channel for commands.' }] },
    ],
  };
}
