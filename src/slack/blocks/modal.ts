import type { types } from '@slack/bolt';

/**
 * A modal as the app builds them: its title, blocks, the Submit label (none: a view to read),
 * Cancel, and what its submission must know (`private_metadata`, as JSON).
 */
export function modal(o: { callbackId: string; title: string; submit?: string; close?: string; metadata?: object; blocks: object[] }): types.ModalView {
  return {
    type: 'modal',
    callback_id: o.callbackId,
    ...(o.metadata ? { private_metadata: JSON.stringify(o.metadata) } : {}),
    title: { type: 'plain_text', text: o.title },
    ...(o.submit ? { submit: { type: 'plain_text', text: o.submit } } : {}),
    close: { type: 'plain_text', text: o.close ?? 'Cancel' },
    blocks: o.blocks as types.ModalView['blocks'],
  };
}
