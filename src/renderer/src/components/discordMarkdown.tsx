// A relayed message as Discord shows it. The relay escapes player text with Discord markdown
// (`\*\*`), so showing the raw string would show the backslashes. marked's inline lexer (a
// well-kept CommonMark/GFM tokenizer) splits the text; we turn its tokens into React elements
// ourselves, so no HTML string is ever injected: raw HTML in a message stays visible text, and
// links are shown as their text (Discord's own webhook messages do not make masked links clickable
// for players' text, and the app should not navigate away on a click).
import { Lexer, type Token, type Tokens } from 'marked';
import type { ReactNode } from 'react';

function render(tokens: readonly Token[] | undefined, key: string): ReactNode[] {
  return (tokens ?? []).map((t, i) => node(t, `${key}.${i}`));
}

function node(t: Token, key: string): ReactNode {
  switch (t.type) {
    case 'strong':
      // Discord reads `__x__` as underline, `**x**` as bold (CommonMark makes both strong).
      return t.raw.startsWith('__') ? (
        <u key={key}>{render((t as Tokens.Strong).tokens, key)}</u>
      ) : (
        <strong key={key}>{render((t as Tokens.Strong).tokens, key)}</strong>
      );
    case 'em':
      return <em key={key}>{render((t as Tokens.Em).tokens, key)}</em>;
    case 'del':
      return <s key={key}>{render((t as Tokens.Del).tokens, key)}</s>;
    case 'codespan':
      return <code key={key}>{(t as Tokens.Codespan).text}</code>;
    case 'br':
      return <br key={key} />;
    case 'link':
      return <span key={key}>{render((t as Tokens.Link).tokens, key)}</span>;
    case 'escape':
    case 'text':
      return 'tokens' in t && t.tokens?.length ? (
        <span key={key}>{render(t.tokens, key)}</span>
      ) : (
        (t as Tokens.Text).text
      );
    default:
      // html, image and anything else: exactly the characters that were sent.
      return t.raw;
  }
}

/** The message's inline markdown as React nodes (never HTML). */
export function DiscordMarkdown({ text }: { text: string }) {
  return <>{render(Lexer.lexInline(text, { gfm: true, breaks: true }), 'm')}</>;
}
