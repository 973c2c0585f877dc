// The video tiles' grid (issue 13, defect 10): every visible tile fits in the stage, as large as
// it can be, for any number of people (2–8 and beyond) and any window: the column count that
// gives the widest tile whose rows still fit the height is chosen, and kept up to date when
// tiles come and go (someone joins, leaves) or the window is resized.
export const ASPECT = 16 / 10;

// Columns and tile size for `n` tiles in a `width`×`height` box with `gap` px between tiles.
export function fitGrid(n, width, height, gap, aspect = ASPECT) {
  let best = { cols: 1, tileWidth: 0 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(Math.max(1, n) / cols);
    const byWidth = (width - gap * (cols - 1)) / cols;
    const byHeight = ((height - gap * (rows - 1)) / rows) * aspect;
    const tileWidth = Math.floor(Math.min(byWidth, byHeight));
    if (tileWidth > best.tileWidth) best = { cols, tileWidth };
  }
  return best;
}

export function fitTiles(box) {
  const layout = () => {
    const visible = [...box.children].filter((tile) => !tile.hidden).length;
    const style = getComputedStyle(box);
    const gap = parseFloat(style.columnGap) || 0;
    const { cols, tileWidth } = fitGrid(visible, box.clientWidth, box.clientHeight, gap);
    box.style.gridTemplateColumns = `repeat(${cols}, ${Math.max(0, tileWidth)}px)`;
    box.dataset.cols = String(cols);
  };
  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; layout(); });
  };
  new ResizeObserver(soon).observe(box);
  new MutationObserver(soon).observe(box, { childList: true, subtree: true, attributeFilter: ["hidden"] });
  layout();
}
