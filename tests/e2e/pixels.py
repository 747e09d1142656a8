"""Pixels of screenshots as numpy arrays, decoded by the browser itself (Pillow is not a dependency)."""

from __future__ import annotations

import base64

import numpy as np

_DECODE = """async ([png, step]) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
  const width = Math.floor(bitmap.width / step), height = Math.floor(bitmap.height / step);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) { rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2]; }
  let text = "";
  for (let i = 0; i < rgb.length; i += 0x8000) text += String.fromCharCode.apply(null, rgb.subarray(i, i + 0x8000));
  return { width, height, data: btoa(text) };
}"""


def decode_png(page, png: bytes, step: int = 2) -> np.ndarray:
    """``(height, width, 3)`` uint8 RGB of a PNG, down-sampled by ``step``, decoded in ``page``."""
    result = page.evaluate(_DECODE, [base64.b64encode(png).decode(), step])
    return np.frombuffer(base64.b64decode(result["data"]), dtype=np.uint8).reshape(result["height"], result["width"], 3)


def colour_stats(image: np.ndarray) -> dict:
    """Mean RGB and the share of reddish, bluish, greenish pixels and the number of distinct colours."""
    pixels = image.reshape(-1, 3).astype(np.int32)
    r, g, b = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    total = len(pixels)
    return {
        "mean": pixels.mean(axis=0).round(2).tolist(),
        "reddish": round(float(((r > g + 40) & (r > b + 40)).sum() / total), 4),
        "bluish": round(float(((b > r + 40) & (b > g + 10)).sum() / total), 4),
        "greenish": round(float(((g > r + 30) & (g > b)).sum() / total), 4),
        "distinct": int(len(np.unique(pixels[:, 0] * 65536 + pixels[:, 1] * 256 + pixels[:, 2]))),
    }


def difference(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels whose colour differs by more than 30 (sum over channels)."""
    if a.shape != b.shape:
        raise ValueError("images differ in size")
    delta = np.abs(a.astype(np.int32) - b.astype(np.int32)).sum(axis=2)
    return float((delta > 30).sum() / delta.size)


def pixel_at(image: np.ndarray, x: float, y: float, step: int = 2) -> tuple[int, int, int]:
    """RGB at page coordinates (x, y) of a full-page screenshot decoded with ``step``."""
    row = min(image.shape[0] - 1, int(y / step))
    col = min(image.shape[1] - 1, int(x / step))
    return tuple(int(v) for v in image[row, col])
