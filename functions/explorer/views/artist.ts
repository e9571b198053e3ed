// The artist page (their songs, days on the charts, share of the day's streams over time) and the album page (its
// songs on the charts).
import { html } from 'hono/html';
import { layout, type Html, type PageContext } from '#functions/explorer/html.js';
import type { ArtistPage, MonthShare } from '#functions/explorer/chart-pages.js';
import type { AlbumEntity, SongEntity } from '#functions/explorer/search.js';
import { SCRIPTS, artistLinks, fmt, plotFigure, songHref, spotifyHref, tableWrap } from './chart-parts.js';
import { figures } from './song.js';

/** Songs with their success, best first. */
export function songsTable(caption: string, songs: readonly SongEntity[], withArtists: boolean): Html {
  return tableWrap(
    caption,
    html`<tr>
      <th scope="col">Song</th>
      ${withArtists ? html`<th scope="col">Artists</th>` : ''}
      <th scope="col" class="num">Peak</th>
      <th scope="col" class="num">Days</th>
      <th scope="col" class="num">Streams</th>
      <th scope="col">Latest day</th>
    </tr>`,
    songs.map(
      (s) =>
        html`<tr>
          <td><a href="${songHref(s.id)}">${s.name}</a></td>
          ${withArtists ? html`<td>${artistLinks(s.artists)}</td>` : ''}
          <td class="num">${s.peak ?? '–'}</td>
          <td class="num">${fmt(s.days)}</td>
          <td class="num">${fmt(s.streams)}</td>
          <td>${s.latestDate}</td>
        </tr>`,
    ),
  );
}

function monthsTable(months: readonly MonthShare[]): Html {
  return tableWrap(
    'Share of each chart’s streams by month',
    html`<tr>
      <th scope="col">Chart</th>
      <th scope="col">Month</th>
      <th scope="col" class="num">Days</th>
      <th scope="col" class="num">Best position</th>
      <th scope="col" class="num">Streams</th>
      <th scope="col" class="num">Share</th>
    </tr>`,
    months.map(
      (m) =>
        html`<tr>
          <td>${m.chartId}</td>
          <td>${m.month}</td>
          <td class="num">${m.days}</td>
          <td class="num">${m.peak}</td>
          <td class="num">${fmt(m.streams)}</td>
          <td class="num">${m.share === null ? '–' : `${m.share.toFixed(2)} %`}</td>
        </tr>`,
    ),
  );
}

export function artistView(ctx: PageContext, page: ArtistPage): Html {
  const { artist } = page;
  return layout(
    ctx,
    artist.name,
    html`<h1>${artist.name}</h1>
      ${figures([
        ['Songs on a chart', fmt(page.songs.length)],
        ['Days on a chart', fmt(artist.days)],
        ['Best position', artist.peak === null ? '–' : String(artist.peak)],
        ['Streams of their entries', fmt(artist.streams)],
        ['First and latest day', `${artist.firstDate} to ${artist.latestDate}`],
        ...(artist.id
          ? [
              [
                'On Spotify',
                html`<a href="${spotifyHref('artist', artist.id, null)}">open.spotify.com</a>`,
              ] as const,
            ]
          : []),
      ])}
      <h2>Share of the day’s streams</h2>
      ${plotFigure(
        { kind: 'share', title: `${artist.name}: share of the day’s streams`, ...page.shares },
        `${artist.name}'s entries as a percentage of all the streams of each day's chart, per chart.`,
      )}
      <details class="history">
        <summary>By month</summary>
        ${monthsTable(page.months)}
      </details>
      <h2>Songs</h2>
      ${songsTable(`Songs of ${artist.name} on the charts`, page.songs, true)}`,
    { scripts: SCRIPTS.plots },
  );
}

export function albumView(
  ctx: PageContext,
  page: { readonly album: AlbumEntity; readonly songs: readonly SongEntity[] },
): Html {
  const { album } = page;
  return layout(
    ctx,
    album.name,
    html`<h1>${album.name}</h1>
      <p class="byline">${artistLinks(album.artists)}</p>
      ${figures([
        ['Type', album.albumType ?? '–'],
        ['Released', album.releaseDate ?? '–'],
        ['Songs on a chart', fmt(page.songs.length)],
        ['Best position', album.peak === null ? '–' : String(album.peak)],
        ['Streams of its entries', fmt(album.streams)],
        ['On Spotify', html`<a href="${spotifyHref('album', album.id, album.url)}">open.spotify.com</a>`],
      ])}
      <h2>Songs</h2>
      ${songsTable(`Songs of ${album.name} on the charts`, page.songs, true)}`,
  );
}
