// A handwritten signature drawn with a finger, a pen or the mouse on a <canvas>, exported as a PNG
// cropped to the ink (transparent background), for the visible signature block of the PDF.
//
//   const pad = new SignaturePad(canvas);
//   pad.isEmpty(); pad.clear(); const png = pad.toPngBase64();   // null while empty
//
// Pointer events cover mouse, touch and stylus; pressure (where the device reports it) thickens
// the stroke a little. The canvas is sized to its CSS box times devicePixelRatio, so the ink is
// sharp on high-density screens.

const INK = "#0b1f4a";

export class SignaturePad {
  constructor(canvas, { onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.onChange = onChange;
    this.strokes = 0;
    this.last = null;
    this._resize();
    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", (e) => this._down(e));
    canvas.addEventListener("pointermove", (e) => this._move(e));
    for (const type of ["pointerup", "pointercancel", "pointerleave"]) {
      canvas.addEventListener(type, () => { this.last = null; });
    }
  }

  _resize() {
    const ratio = window.devicePixelRatio || 1;
    const box = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(box.width * ratio));
    this.canvas.height = Math.max(1, Math.round(box.height * ratio));
    this.ratio = ratio;
    const ctx = this.canvas.getContext("2d");
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = INK;
  }

  _point(e) {
    const box = this.canvas.getBoundingClientRect();
    return { x: (e.clientX - box.left) * this.ratio, y: (e.clientY - box.top) * this.ratio, p: e.pressure || 0.5 };
  }

  _down(e) {
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    this.last = this._point(e);
    this._segment(this.last, { ...this.last, x: this.last.x + 0.01 });
    this.strokes += 1;
    this.onChange(this);
  }

  _move(e) {
    if (!this.last) return;
    e.preventDefault();
    const next = this._point(e);
    this._segment(this.last, next);
    this.last = next;
  }

  _segment(a, b) {
    const ctx = this.canvas.getContext("2d");
    ctx.lineWidth = (1.6 + 2.4 * b.p) * this.ratio;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }

  isEmpty() {
    return this.strokes === 0;
  }

  clear() {
    this.canvas.getContext("2d").clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.strokes = 0;
    this.onChange(this);
  }

  /** The ink's bounding box (with a small margin), or null when nothing is drawn. */
  _inkBox() {
    const { width, height } = this.canvas;
    const data = this.canvas.getContext("2d").getImageData(0, 0, width, height).data;
    let x0 = width, y0 = height, x1 = -1, y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[(y * width + x) * 4 + 3] > 0) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 < 0) return null;
    const m = Math.round(4 * this.ratio);
    return { x: Math.max(0, x0 - m), y: Math.max(0, y0 - m), w: Math.min(width, x1 + m + 1) - Math.max(0, x0 - m), h: Math.min(height, y1 + m + 1) - Math.max(0, y0 - m) };
  }

  /** PNG of the ink, cropped, base64 without the data: prefix; null while nothing is drawn. */
  toPngBase64() {
    if (this.isEmpty()) return null;
    const box = this._inkBox();
    if (!box) return null;
    const out = document.createElement("canvas");
    out.width = box.w;
    out.height = box.h;
    out.getContext("2d").drawImage(this.canvas, box.x, box.y, box.w, box.h, 0, 0, box.w, box.h);
    return out.toDataURL("image/png").split(",", 2)[1];
  }
}
