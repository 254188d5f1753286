// Starts the browser's download of a file the web preview prepared (a one-time address): the
// browser streams it to disk, so a large export never sits in the page's memory.
export function startDownload(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.className = 'visually-hidden';
  document.body.append(link);
  link.click();
  link.remove();
}
