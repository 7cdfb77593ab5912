import { TemplateCatalog } from '../../../../src/whatsapp/cloud/template-catalog';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

function catalogOf(data: unknown[]): TemplateCatalog {
  const graph = { get: async () => ({ data }) } as never;
  return new TemplateCatalog({ graph, wabaId: '200', log: silent });
}

const template = (name: string, buttons?: Array<{ type: string; text: string }>) => ({
  name,
  language: 'en',
  status: 'APPROVED',
  category: 'MARKETING',
  components: [{ type: 'BODY', text: 'Hi {{1}}' }, ...(buttons ? [{ type: 'BUTTONS', buttons }] : [])],
});

describe('TemplateCatalog: opt-out buttons', () => {
  it('knows a template whose quick-reply button opts out when tapped (its words are an opt-out keyword)', async () => {
    const catalog = catalogOf([
      template('promo', [{ type: 'QUICK_REPLY', text: 'Stop promotions' }]),
      template('promo_es', [{ type: 'QUICK_REPLY', text: 'Darme de baja' }]),
      template('plain'),
      template('visit', [{ type: 'URL', text: 'Stop' }]),
      template('maybe', [{ type: 'QUICK_REPLY', text: 'Tell me more' }]),
    ]);
    await catalog.refresh();
    expect(Object.fromEntries(catalog.list().map((t) => [t.name, t.optOutButton]))).toEqual({ promo: true, promo_es: true, plain: false, visit: false, maybe: false });
  });
});
