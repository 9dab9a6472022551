/**
 * Card faces in cytoscape's image cache. Cytoscape hashes and parses style
 * values per element: a 10 kB data URI per card makes that slow, so a face is
 * entered into the canvas renderer's image cache under a short key, and its
 * image is made only when cytoscape first draws the card (cards off screen are
 * never decoded), unless an already decoded image is given.
 *
 * The image cache is private to cytoscape's canvas renderer (`imageCache`,
 * read by `getCachedImage`). It is used only on the versions it was checked
 * with; otherwise faces are handed to cytoscape as plain data URIs (slower
 * with many cards, but correct).
 */

import { svgDataUri } from './cardsvg';

/** Cytoscape versions whose renderer keeps images in `imageCache` keyed by URL. */
export function cacheSupported(version: string | undefined, renderer: unknown): boolean {
  const m = /^3\.(\d+)\./.exec(version || '');
  const minor = m ? Number(m[1]) : -1;
  const r = renderer as { getCachedImage?: unknown } | null;
  return minor >= 10 && minor <= 33 && !!r && typeof r.getCachedImage === 'function';
}

interface CacheEntry {
  image: HTMLImageElement;
}

export class FaceCache {
  private seq = 0;
  readonly shortKeys: boolean;
  /** Face images made so far because cytoscape drew a card with its face (for tests). */
  made = 0;

  /**
   * @param renderer cytoscape's renderer (`cy.renderer()`)
   * @param version `cytoscape.version`
   * @param prefix distinguishes the keys of several views on one page
   */
  constructor(
    private renderer: any,
    version: string | undefined,
    private prefix: string
  ) {
    this.shortKeys = cacheSupported(version, renderer);
  }

  private get cache(): Record<string, CacheEntry> | null {
    if (!this.shortKeys || !this.renderer) {
      return null;
    }
    return (this.renderer.imageCache = this.renderer.imageCache || {});
  }

  /** Enter a face; returns the URL to give cytoscape as the node's background image. */
  add(svg: string, decoded?: HTMLImageElement): string {
    const cache = this.cache;
    if (!cache) {
      return svgDataUri(svg);
    }
    const key = `data:image/svg+xml;nncards=${this.prefix}-${++this.seq},`;
    if (decoded) {
      cache[key] = { image: decoded };
      return key;
    }
    let image: HTMLImageElement | null = null;
    const entry = {};
    Object.defineProperty(entry, 'image', {
      enumerable: true,
      configurable: true,
      get: () => {
        if (!image) {
          this.made++;
          image = new Image();
          image.src = svgDataUri(svg);
        }
        return image;
      },
      set: (v: HTMLImageElement) => {
        image = v;
      }
    });
    cache[key] = entry as CacheEntry;
    return key;
  }

  /** Forget a face no card shows any more. */
  drop(url: string): void {
    const cache = this.cache;
    if (cache && url) {
      delete cache[url];
    }
  }

  /** True when the image of a face has been decoded (or asked for and loaded). */
  decoded(url: string): boolean {
    const cache = this.renderer && this.renderer.imageCache;
    const entry = cache && cache[url];
    return !!entry && !!entry.image && entry.image.complete;
  }

  /** Stop: the renderer is gone. */
  dispose(): void {
    this.renderer = null;
  }
}
