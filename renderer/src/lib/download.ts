// Saving what the engine or a template produced as a file the user downloads
// (a Blob URL behind a temporary link, revoked once the browser has it).

export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves text (a CSV template) as a download. */
export function downloadText(filename: string, text: string, type: string): void {
  downloadBlob(filename, new Blob([text], { type }));
}

/** Saves base64 content (an export the engine wrote) as a download. */
export function downloadBase64(filename: string, contentBase64: string, type: string): void {
  const raw = atob(contentBase64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  downloadBlob(filename, new Blob([bytes], { type }));
}
