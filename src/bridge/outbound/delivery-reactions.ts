/** Delivery state shown as reactions on the agent's Slack message (WhatsApp's ✓, ✓✓, blue ✓✓). */
export const DELIVERY_REACTIONS = {
  sent: 'heavy_check_mark',
  delivered: 'ballot_box_with_check',
  read: 'eyes',
  failed: 'warning',
  blocked: 'no_entry_sign',
} as const;
