/**
 * The password of a `redis://` URL, so errors and logs can cut it out should a message ever quote
 * the URL; '' when there is none.
 */
export function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
