// The explorer's pages are rendered on the server: `html` (Hono's tagged template) escapes every interpolated value,
// so a song called <script> is text. Each page is the layout around its own content.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Account } from './ports.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageContext {
  readonly account: Account | undefined;
  readonly csrfToken: string | undefined;
  /** The nav entry to mark as the current page. */
  readonly current?: 'search' | 'day' | 'sql' | 'upload' | 'account';
}

/** The hidden CSRF field every form that changes state carries. */
export const csrfField = (ctx: PageContext): Html =>
  ctx.csrfToken ? html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}" />` : html``;

const navLink = (
  ctx: PageContext,
  key: NonNullable<PageContext['current']>,
  href: string,
  label: string,
): Html => html`<a href="${href}" ${ctx.current === key ? raw(' aria-current="page"') : ''}>${label}</a>`;

/** The page: skip link, header with the search box and navigation, main content, optional page script. */
export function layout(
  ctx: PageContext,
  title: string,
  content: Html,
  options: { readonly scripts?: readonly string[] } = {},
): Html {
  const account = ctx.account;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · spotify-etl explorer</title>
        <link rel="stylesheet" href="/assets/style.css" />
        ${(options.scripts ?? []).map((s) => html`<script type="module" src="/assets/${s}"></script>`)}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <a class="brand" href="/">spotify-etl explorer</a>
          <nav aria-label="Main">
            ${navLink(ctx, 'search', '/', 'Search')} ${navLink(ctx, 'day', '/day', 'Day')}
            ${account ? navLink(ctx, 'sql', '/sql', 'SQL') : ''}
            ${account?.role === 'editor' ? navLink(ctx, 'upload', '/upload', 'Upload') : ''}
          </nav>
          <div class="account">
            ${
              account
                ? html`<span>${account.email} (${account.role})</span>
                    <form method="post" action="/signout">
                      ${csrfField(ctx)}<button type="submit">Sign out</button>
                    </form>`
                : html`<a href="/signin">Sign in</a> <a href="/signup">Sign up</a>`
            }
          </div>
        </header>
        <main id="main">${content}</main>
      </body>
    </html>`;
}

/** A message box: errors are announced to screen readers (role=alert), notes politely (role=status). */
export const message = (kind: 'error' | 'note', text: string | undefined): Html =>
  text === undefined
    ? html``
    : html`<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>`;
