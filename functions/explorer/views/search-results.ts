// The search results: songs, artists and albums in sections, most relevant first, each opening its page.
import { html } from 'hono/html';
import { layout, message, type Html, type PageContext } from '#functions/explorer/html.js';
import type { Entity, EntityKind } from '#functions/explorer/search.js';
import { SCRIPTS, albumHref, artistHref, fmt, searchForm, songHref } from './chart-parts.js';

export interface ResultGroup {
  readonly kind: EntityKind;
  readonly entities: readonly Entity[];
  readonly total: number;
}

const TITLES: Readonly<Record<EntityKind, string>> = { song: 'Songs', artist: 'Artists', album: 'Albums' };

export const entityHref = (e: Entity): string =>
  e.kind === 'song' ? songHref(e.id) : e.kind === 'album' ? albumHref(e.id) : artistHref(e);

/** What a result says beside its name: who, and how it did. */
export function entityDetail(e: Entity): string {
  const success = [
    e.peak !== null ? `peak ${e.peak}` : undefined,
    `${fmt(e.days)} ${e.days === 1 ? 'day' : 'days'}`,
  ].filter(Boolean);
  if (e.kind === 'artist')
    return [`${fmt(e.songs)} ${e.songs === 1 ? 'song' : 'songs'}`, ...success].join(' · ');
  return [e.artists.map((a) => a.name).join(', '), ...success].filter(Boolean).join(' · ');
}

function group(query: string, g: ResultGroup, only: boolean): Html {
  if (g.total === 0) return html``;
  const more =
    !only && g.total > g.entities.length
      ? html`<p>
          <a href="/search?q=${encodeURIComponent(query)}&amp;kind=${g.kind}"
            >All ${fmt(g.total)} ${TITLES[g.kind].toLowerCase()}</a
          >
        </p>`
      : '';
  return html`<section aria-labelledby="results-${g.kind}">
    <h2 id="results-${g.kind}">${TITLES[g.kind]} (${fmt(g.total)})</h2>
    <ol class="results">
      ${g.entities.map(
        (e) =>
          html`<li>
            <a href="${entityHref(e)}">${e.name}</a>
            <span class="hint">${entityDetail(e)}</span>
          </li>`,
      )}
    </ol>
    ${more}
  </section>`;
}

export function searchView(
  ctx: PageContext,
  query: string,
  groups: readonly ResultGroup[],
  only?: EntityKind,
): Html {
  const found = groups.reduce((n, g) => n + g.total, 0);
  const body =
    query.trim() === ''
      ? message('note', 'Type the start of a song, artist or album name.')
      : found === 0
        ? message('note', `Nothing on the charts starts with “${query}”.`)
        : html`<p role="status">${fmt(found)} ${found === 1 ? 'match' : 'matches'} for “${query}”.</p>
            ${groups.map((g) => group(query, g, only !== undefined))}`;
  return layout(
    ctx,
    query ? `“${query}”` : 'Search',
    html`<h1>Search</h1>
      ${searchForm(query)}${body}`,
    {
      scripts: SCRIPTS.search,
    },
  );
}
