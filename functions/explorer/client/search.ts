// Suggestions in the search box: names from /api/search as the box's <datalist> (the browser shows them, arrow keys
// and Enter pick one). Without the script, the form simply submits to /search.

interface Suggestion {
  readonly name: string;
  readonly detail: string;
  readonly kind: string;
}

const WAIT_MS = 150;

function enhance(input: HTMLInputElement, list: HTMLDataListElement): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q === '') {
      list.replaceChildren();
      return;
    }
    timer = setTimeout(() => {
      const ask = ++asked;
      fetch(`/api/search?q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' } })
        .then((r) => (r.ok ? (r.json() as Promise<{ results: Suggestion[] }>) : { results: [] }))
        .then(({ results }) => {
          if (ask !== asked) return; // a later keystroke's answer is the one to show
          list.replaceChildren(
            ...results.map((s) => {
              const option = document.createElement('option');
              option.value = s.name;
              option.label = `${s.kind}: ${s.detail}`;
              return option;
            }),
          );
        })
        .catch(() => list.replaceChildren());
    }, WAIT_MS);
  });
}

const input = document.getElementById('q');
const list = document.getElementById('q-suggestions');
if (input instanceof HTMLInputElement && list instanceof HTMLDataListElement) enhance(input, list);
