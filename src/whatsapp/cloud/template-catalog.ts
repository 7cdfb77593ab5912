import { createKeywordClassifier, defaultKeywordLists } from '../../consent/keywords';
import type { Logger } from '../../logger';
import type { GraphClient } from './graph-client';

/** An approved template as the picker offers it. */
export interface CloudTemplate {
  name: string;
  language: string;
  category: string;
  /** The body text with its placeholders (`{{1}}` or `{{first_name}}`). */
  body: string;
  /** The body's placeholders in order of first appearance: `['1', '2']`, or names when the template uses named parameters. */
  params: string[];
  named: boolean;
  /**
   * A quick-reply button whose words are an opt-out keyword ("Stop promotions", "Unsubscribe"): a
   * tap sends those words back and opts the contact out. A broadcast template needs one, since no
   * opt-out line can be added to a template.
   */
  optOutButton: boolean;
}

/** Opt-out words, plus the words of WhatsApp Manager's marketing opt-out button. */
const isOptOutWords = ((classify) => (text: string) => classify(text) === 'opt_out')(createKeywordClassifier(defaultKeywordLists()));

interface TemplatePage {
  data?: Array<{
    name?: unknown;
    language?: unknown;
    status?: unknown;
    category?: unknown;
    parameter_format?: unknown;
    components?: Array<{ type?: unknown; text?: unknown; buttons?: Array<{ type?: unknown; text?: unknown }> }>;
  }>;
  paging?: { next?: unknown; cursors?: { after?: unknown } };
}

/** Pages read at most (100 templates each: Meta allows up to 6,000 per WABA, notes §4). */
const MAX_PAGES = 60;
const PAGE_SIZE = 100;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/**
 * The WABA's APPROVED templates, in memory per instance: read at start and again whenever Meta
 * says a template's status changed (`message_template_status_update`), not on a timer (Chatwoot's
 * hourly sync left new templates invisible for an hour; notes §6). A failed read keeps the last list.
 */
export class TemplateCatalog {
  private templates: CloudTemplate[] = [];
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: { graph: GraphClient; wabaId: string; log: Logger }) {}

  list(): CloudTemplate[] {
    return this.templates;
  }

  find(name: string, language: string): CloudTemplate | undefined {
    return this.templates.find((t) => t.name === name && t.language === language);
  }

  /** Reads the list again; a call while one runs makes it run once more after (a change may have come in between). */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.read();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async read(): Promise<void> {
    const found: CloudTemplate[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), fields: 'name,language,status,category,parameter_format,components', ...(after ? { after } : {}) });
      const answer = await this.deps.graph.get<TemplatePage>(`/${this.deps.wabaId}/message_templates?${query.toString()}`);
      for (const t of answer.data ?? []) {
        if (t.status !== 'APPROVED' || typeof t.name !== 'string' || typeof t.language !== 'string') continue;
        const body = t.components?.find((c) => c.type === 'BODY')?.text;
        const text = typeof body === 'string' ? body : '';
        const params = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
        const buttons = t.components?.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
        const optOutButton = buttons.some((b) => b.type === 'QUICK_REPLY' && typeof b.text === 'string' && isOptOutWords(b.text));
        found.push({ name: t.name, language: t.language, category: typeof t.category === 'string' ? t.category : 'MARKETING', body: text, params, named: t.parameter_format === 'NAMED' || params.some((p) => !/^\d+$/.test(p)), optOutButton });
      }
      const next = answer.paging?.cursors?.after;
      if (!answer.paging?.next || typeof next !== 'string') break;
      after = next;
    }
    this.templates = found;
    this.deps.log.info({ templates: found.length }, 'WhatsApp templates read');
  }
}

/** The template's body with its parameters filled in: the preview, and the words kept in the thread. */
export function fillTemplate(template: Pick<CloudTemplate, 'body' | 'params'>, values: string[]): string {
  return template.body.replace(PLACEHOLDER, (whole, key: string) => {
    const i = template.params.indexOf(key);
    return i >= 0 && values[i] !== undefined && values[i] !== '' ? values[i]! : whole;
  });
}
