import type { types } from '@slack/bolt';
import { consentLine, conversationsLine, durationText, hygieneRunLine, queueLine, type Overview } from '../overview';
import { gatewayStateLine } from './gateway-state';

export const HOME_REFRESH = 'home_refresh';
/** App Home's shortcuts to what agents most often type `/wa` for (listeners in slack/listeners/actions/home-buttons.ts). */
export const HOME_ACTIONS = { findContact: 'home_find_contact', quickReplies: 'home_quick_replies', labels: 'home_labels' } as const;
/** Buttons shown to team leads only (their listeners check the role again: a button is no permission). */
export const HOME_LEAD_ACTIONS = { editHours: 'home_edit_hours', newBroadcast: 'home_new_broadcast' } as const;

/** What App Home shows besides the overview: the open-state line (null: no hours set) and whether the viewer is a lead. */
export interface HomeExtras {
  opening?: string | null;
  lead?: boolean;
}

/** App Home: the state of the bridge for anyone who opens the app, refreshed on every visit. */
export function homeView({ report, queues, consent, lastHygiene, lastHygieneOk, conversations }: Overview, extras: HomeExtras = {}): types.HomeView {
  const field = (title: string, text: string) => ({ type: 'mrkdwn' as const, text: `*${title}*\n${text}` });
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Switchboard' } },
      {
        type: 'section',
        fields: [
          field('WhatsApp', gatewayStateLine(report.whatsapp)),
          field('Store', report.store.ok ? ':large_green_circle: reachable' : ':red_circle: unreachable'),
          ...(extras.opening ? [field('Business hours', extras.opening)] : []),
          ...(queues
            ? [
                field('WhatsApp → Slack', queueLine(queues.inbound)),
                field('Slack → WhatsApp', `${queueLine(queues.outbound)} · ${queues.outbound.blocked ?? 0} refused by consent`),
              ]
            : []),
          ...(conversations
            ? [
                field('Conversations', conversationsLine(conversations)),
                field('First response (median, 7 days)', conversations.medianFirstResponseMs === undefined ? 'no replies yet' : durationText(conversations.medianFirstResponseMs)),
              ]
            : []),
          ...(consent ? [field('Consent', consentLine(consent))] : []),
          field('Last hygiene run', hygieneRunLine(lastHygiene, lastHygieneOk)),
        ],
      },
      {
        type: 'actions',
        elements: [
          button(HOME_ACTIONS.findContact, 'Find a contact', 'primary'),
          button(HOME_ACTIONS.quickReplies, 'Quick replies'),
          button(HOME_ACTIONS.labels, 'Labels'),
          ...(extras.lead ? [button(HOME_LEAD_ACTIONS.editHours, 'Edit hours and automatic replies')] : []),
          ...(extras.lead ? [button(HOME_LEAD_ACTIONS.newBroadcast, 'New broadcast')] : []),
          button(HOME_REFRESH, 'Refresh'),
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Type `/wa help` in any channel for every command.' }] },
    ],
  };
}

function button(actionId: string, text: string, style?: 'primary') {
  return { type: 'button' as const, action_id: actionId, text: { type: 'plain_text' as const, text }, ...(style ? { style } : {}) };
}
