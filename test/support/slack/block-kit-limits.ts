import type { Document } from 'bson';

/** Methods whose `blocks` make a message, and those whose `view` carries them. */
const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update', 'chat.scheduleMessage']);
const VIEW_METHODS = new Set(['views.open', 'views.update', 'views.push', 'views.publish']);

/** Slack's Block Kit limits (its block, element and view references). */
export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  headerText: 150,
  buttonText: 75,
  optionText: 75,
  actionsElements: 25,
  contextElements: 10,
  modalTitle: 24,
  privateMetadata: 3_000,
} as const;

/**
 * What Slack would refuse in a call's blocks or view, as the `errors` line it gives with
 * `invalid_blocks`; undefined when Slack takes it. Only the limits our app can run into are
 * checked — enough that a fake never accepts what Slack would not.
 */
export function blockKitViolation(method: string, args: Record<string, unknown>): string | undefined {
  if (MESSAGE_METHODS.has(method)) return messageViolation(args);
  if (!VIEW_METHODS.has(method) || !isDoc(args.view)) return undefined;
  const view = args.view;
  const title = textOf(view.title);
  if (view.type === 'modal' && title !== undefined && title.length > BLOCK_KIT_LIMITS.modalTitle) return `modal title over ${BLOCK_KIT_LIMITS.modalTitle} characters [/view/title]`;
  for (const key of ['submit', 'close']) {
    const text = textOf(view[key]);
    if (text !== undefined && text.length > BLOCK_KIT_LIMITS.modalTitle) return `${key} text over ${BLOCK_KIT_LIMITS.modalTitle} characters [/view/${key}]`;
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > BLOCK_KIT_LIMITS.privateMetadata) {
    return `private_metadata over ${BLOCK_KIT_LIMITS.privateMetadata} characters [/view/private_metadata]`;
  }
  return blocksViolation(view.blocks, BLOCK_KIT_LIMITS.viewBlocks, 'view/blocks');
}

/**
 * What Slack would refuse in a `response_url` post (Bolt's `respond()`): the same message rules.
 * Deleting the original carries no message to check.
 */
export function responseUrlViolation(body: Document): string | undefined {
  if (body.delete_original === true || body.delete_original === 'true') return undefined;
  return messageViolation(body);
}

/**
 * A message: its blocks, and a `text` fallback beside them. Slack only warns when `text` is
 * missing (notifications and screen readers then show nothing useful); we refuse, so the app
 * never depends on that warning being read.
 */
function messageViolation(args: Record<string, unknown>): string | undefined {
  const blocks = args.blocks;
  const problem = blocksViolation(blocks, BLOCK_KIT_LIMITS.messageBlocks, 'blocks');
  if (problem) return problem;
  if (Array.isArray(blocks) && blocks.length > 0 && !(typeof args.text === 'string' && args.text.trim() !== '')) return 'blocks without a text fallback [/text]';
  return undefined;
}

function blocksViolation(blocks: unknown, maxBlocks: number, path: string): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  if (blocks.length > maxBlocks) return `more than ${maxBlocks} blocks [/${path}]`;
  // block_id is unique in the whole message or view; action_id only within its block.
  const blockIds = new Set<string>();
  for (const [i, block] of blocks.entries()) {
    if (!isDoc(block)) continue;
    const at = `/${path}/${i}`;
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) return `duplicate block_id ${block.block_id} [${at}]`;
      blockIds.add(block.block_id);
    }
    const problem = blockViolation(block, at);
    if (problem) return problem;
    const actionIds = new Set<string>();
    for (const element of elementsOf(block)) {
      const id = element.action_id;
      if (typeof id !== 'string') continue;
      if (actionIds.has(id)) return `duplicate action_id ${id} [${at}]`;
      actionIds.add(id);
    }
  }
  return undefined;
}

function blockViolation(block: Document, at: string): string | undefined {
  const L = BLOCK_KIT_LIMITS;
  const text = textOf(block.text);
  if (block.type === 'section') {
    if (text !== undefined && text.length > L.sectionText) return `section text over ${L.sectionText} characters [${at}/text]`;
    const fields = Array.isArray(block.fields) ? block.fields : [];
    if (fields.length > L.sectionFields) return `more than ${L.sectionFields} fields [${at}/fields]`;
    if (fields.some((f) => (textOf(f)?.length ?? 0) > L.fieldText)) return `field text over ${L.fieldText} characters [${at}/fields]`;
  }
  if (block.type === 'header' && text !== undefined && text.length > L.headerText) return `header text over ${L.headerText} characters [${at}/text]`;
  if (block.type === 'actions' && Array.isArray(block.elements) && block.elements.length > L.actionsElements) return `more than ${L.actionsElements} elements [${at}/elements]`;
  if (block.type === 'context' && Array.isArray(block.elements) && block.elements.length > L.contextElements) return `more than ${L.contextElements} elements [${at}/elements]`;
  for (const element of elementsOf(block)) {
    if (element.type === 'button' && (textOf(element.text)?.length ?? 0) > L.buttonText) return `button text over ${L.buttonText} characters [${at}]`;
    const options = [...docs(element.options), ...docs(element.option_groups).flatMap((g) => docs(g.options))];
    if (options.some((o) => (textOf(o.text)?.length ?? 0) > L.optionText)) return `option text over ${L.optionText} characters [${at}]`;
  }
  return undefined;
}

/** The interactive elements of a block: a section's accessory, an input's element, an actions block's elements. */
function elementsOf(block: Document): Document[] {
  return [...(isDoc(block.accessory) ? [block.accessory] : []), ...(isDoc(block.element) ? [block.element] : []), ...(block.type === 'actions' ? docs(block.elements) : [])];
}

function textOf(value: unknown): string | undefined {
  return isDoc(value) && typeof value.text === 'string' ? value.text : undefined;
}

function docs(value: unknown): Document[] {
  return Array.isArray(value) ? value.filter(isDoc) : [];
}

function isDoc(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
