/**
 * Reading the map in a browser test: wait for MapLibre to settle, and the canvas's pixels as the
 * page shows them (decoded by the browser from a screenshot, so every layer and marker counts).
 */
import type { Page } from 'playwright-core';

interface MapHook {
  __lifecircle: { map: { once(e: string, f: () => void): void; triggerRepaint(): void } };
}

/** Wait until the map has rendered everything it has (MapLibre `idle`). */
export const idle = (p: Page) =>
  p.evaluate(() => new Promise<void>((resolve) => {
    const map = (window as unknown as MapHook).__lifecircle.map;
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));

/**
 * The map canvas's pixels, decoded by the browser from a screenshot: how many are strongly
 * coloured (saturated), and the RGB bytes for comparing two renders.
 */
export async function pixels(p: Page): Promise<{ saturated: number; total: number; rgb: number[] }> {
  const box = (await p.locator('canvas.maplibregl-canvas').boundingBox())!;
  const png = await p.screenshot({ clip: box });
  return p.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 200;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0, 320, 200);
    const data = ctx.getImageData(0, 0, 320, 200).data;
    let saturated = 0;
    const rgb: number[] = [];
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, bl] = [data[i], data[i + 1], data[i + 2]];
      if (Math.max(r, g, bl) - Math.min(r, g, bl) > 60) saturated++;
      rgb.push(r, g, bl);
    }
    return { saturated, total: data.length / 4, rgb };
  }, png.toString('base64'));
}

/** The median colour of the 7 × 7 pixels around (x, y) of the map canvas, as the page shows it. */
export async function colourAt(p: Page, x: number, y: number): Promise<[number, number, number]> {
  const box = (await p.locator('canvas.maplibregl-canvas').boundingBox())!;
  const png = await p.screenshot({ clip: { x: box.x + x - 3, y: box.y + y - 3, width: 7, height: 7 } });
  return p.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const median = (k: number) => {
      const v: number[] = [];
      for (let i = k; i < data.length; i += 4) v.push(data[i]);
      return v.sort((a, b) => a - b)[v.length >> 1];
    };
    return [median(0), median(1), median(2)] as [number, number, number];
  }, png.toString('base64'));
}

/** The share of pixels whose colour differs by more than 40 (summed over R, G, B) between two reads. */
export const changedShare = (a: number[], b: number[]) => {
  let changed = 0;
  for (let i = 0; i < a.length; i += 3) if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 40) changed++;
  return changed / (a.length / 3);
};


/**
 * How many of the map canvas's pixels, at full resolution (thin lines survive), lie within `tol`
 * (summed over R, G, B) of `hex`.
 */
export async function colourCount(p: Page, hex: string, tol = 60): Promise<number> {
  const box = (await p.locator('canvas.maplibregl-canvas').boundingBox())!;
  const png = await p.screenshot({ clip: box });
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return p.evaluate(async ([b64, w, t]) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - w[0]) + Math.abs(data[i + 1] - w[1]) + Math.abs(data[i + 2] - w[2]) <= t) n++;
    return n;
  }, [png.toString('base64'), want, tol] as [string, number[], number]);
}
