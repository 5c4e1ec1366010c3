import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DiscordMarkdown } from './discordMarkdown';

const html = (text: string) => renderToStaticMarkup(<DiscordMarkdown text={text} />);

describe('DiscordMarkdown', () => {
  it('shows the relay’s bold as bold and its escapes as the characters players typed', () => {
    expect(html('❌ **Bob** left the game')).toBe('❌ <strong>Bob</strong> left the game');
    expect(html('💬 **Bob:** \\*\\*not bold\\*\\* 1\\. \\# a\\_b')).toBe(
      '💬 <strong>Bob:</strong> **not bold** 1. # a_b',
    );
  });

  it('renders Discord’s italics, underline, strikethrough and inline code', () => {
    expect(html('*i* __u__ ~~s~~ `c`')).toBe('<em>i</em> <u>u</u> <s>s</s> <code>c</code>');
  });

  it('never injects HTML: tags stay text, links are not clickable', () => {
    const out = html('<img src=x onerror=alert(1)> [click](javascript:alert(1)) <script>x</script>');
    expect(out).not.toMatch(/<img|<script|<a /);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('<span>click</span>');
  });
});
