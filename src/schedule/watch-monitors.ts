/**
 * Polls the monitors folder for changes. Polling, rather than fs.watch, because file events do
 * not cross the bind mounts and network volumes that monitors folders usually live on in
 * containers; a stat per file every few seconds is cheap next to the runs themselves.
 */
export function watchMonitors(refresh: () => Promise<void>, intervalMs: number): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    refresh().finally(() => {
      busy = false;
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
