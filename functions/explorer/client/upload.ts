// The upload page's script: the box around the file input takes a dropped file too (the plain input works alone).
function start(): void {
  const zone = document.getElementById('drop-zone');
  const input = document.getElementById('chart') as HTMLInputElement | null;
  if (!zone || !input) return;
  const over = (on: boolean) => zone.classList.toggle('dragging', on);
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    over(true);
  });
  zone.addEventListener('dragleave', () => over(false));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    over(false);
    const files = event.dataTransfer?.files;
    if (files && files.length > 0) {
      input.files = files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
  });
}

start();
