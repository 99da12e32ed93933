/**
 * A uniform grid over local XY metres: items are filed under every cell their bounding box
 * touches, and a box query returns each item filed in the cells it touches once (a superset
 * of the items truly inside: callers test the exact distance). Built once per engine, so
 * scope resolution costs the neighbourhood, not the city (a 1M-sensor city's composite rules
 * went from quadratic to linear start-up).
 */
export class SpatialGrid {
  private readonly cells = new Map<string, number[]>();

  constructor(private readonly cellM: number) {}

  private range(lo: number, hi: number): [number, number] {
    return [Math.floor(lo / this.cellM), Math.floor(hi / this.cellM)];
  }

  /** Files item `id` under the cells of the box [x0, x1] × [y0, y1]. */
  add(id: number, x0: number, y0: number, x1: number = x0, y1: number = y0): void {
    const [cx0, cx1] = this.range(Math.min(x0, x1), Math.max(x0, x1));
    const [cy0, cy1] = this.range(Math.min(y0, y1), Math.max(y0, y1));
    for (let cx = cx0; cx <= cx1; cx++)
      for (let cy = cy0; cy <= cy1; cy++) {
        const key = `${cx},${cy}`;
        const list = this.cells.get(key);
        if (list === undefined) this.cells.set(key, [id]);
        else if (list[list.length - 1] !== id) list.push(id);
      }
  }

  /** Items filed in any cell the box touches, each once (in no particular order). */
  query(x0: number, y0: number, x1: number, y1: number): Set<number> {
    const [cx0, cx1] = this.range(x0, x1);
    const [cy0, cy1] = this.range(y0, y1);
    const found = new Set<number>();
    if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > this.cells.size) {
      // A box wider than the populated area: walking the filed cells is cheaper.
      for (const [key, list] of this.cells) {
        const [cx, cy] = key.split(",").map(Number) as [number, number];
        if (cx >= cx0 && cx <= cx1 && cy >= cy0 && cy <= cy1) for (const id of list) found.add(id);
      }
    } else {
      for (let cx = cx0; cx <= cx1; cx++)
        for (let cy = cy0; cy <= cy1; cy++)
          for (const id of this.cells.get(`${cx},${cy}`) ?? []) found.add(id);
    }
    return found;
  }
}
