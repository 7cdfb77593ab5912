import { textModal } from '../../../src/slack/blocks/home-modals';

const sectionTexts = (view: ReturnType<typeof textModal>) => view.blocks.map((b) => (b as { text: { text: string } }).text.text);

describe('textModal', () => {
  it('when the text is short, then it is one section, as written', () => {
    expect(sectionTexts(textModal('Labels', '*Labels*\n• `vip` — 1 contact'))).toEqual(['*Labels*\n• `vip` — 1 contact']);
  });

  it('when the text is longer than a section holds, then it is split between lines, every section within Slack limits', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `• \`!reply${i}\` — ${'x'.repeat(100)}`);
    const texts = sectionTexts(textModal('Quick replies', lines.join('\n')));
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    expect(texts.join('\n')).toBe(lines.join('\n'));
  });

  it('when the text would need more than 100 sections, then the last one says there is more; a title is cut to 24 characters', () => {
    const view = textModal('A title far longer than Slack allows', Array.from({ length: 200 }, () => 'y'.repeat(2999)).join('\n'));
    expect(view.blocks).toHaveLength(100);
    expect(sectionTexts(view)[99]).toMatch(/and more/);
    expect(view.title.text).toHaveLength(24);
  });
});
