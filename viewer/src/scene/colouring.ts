/** Paints every loaded storey's rooms by the active colour mode; hover and selection on top. */
import type { RoomRow } from "../api/types";
import { type ColourMode, colourFor } from "../colour/modes";
import { NO_DATA, lerpColour, shade } from "../colour/scales";
import type { StoreyModel } from "./storeyModel";
import type { Viewer } from "./viewer";

export const SELECTED_COLOUR = 0xffd400;
/** What the rooms outside a dimming highlight fade towards. */
export const DIMMED_COLOUR = 0xf2f2f2;

/** Rooms painted over the colour mode (finder candidates, version differences); the rest kept or dimmed. */
export interface Highlight { colours: ReadonlyMap<string, number>; dimOthers?: boolean }

export class RoomColourer {
  private mode: ColourMode = "category";
  private data = new Map<string, RoomRow>();
  private selected: string | null = null;
  private hovered: string | null = null;
  private highlight: Highlight | null = null;

  constructor(private readonly viewer: Viewer) {}

  get colourMode(): ColourMode {
    return this.mode;
  }

  get selectedId(): string | null {
    return this.selected;
  }

  setMode(mode: ColourMode): void {
    this.mode = mode;
    this.applyAll();
  }

  setData(rows: Iterable<RoomRow>): void {
    this.data = new Map([...rows].map((row) => [row.global_id, row]));
    this.applyAll();
  }

  /** Add rows (e.g. one storey's, as they arrive) and recolour only the storeys they are on. */
  addData(rows: Iterable<RoomRow>): void {
    const storeys = new Set<number | null>();
    for (const row of rows) {
      this.data.set(row.global_id, row);
      storeys.add(row.storey_id);
    }
    for (const model of this.viewer.storeys.values()) {
      if (storeys.has(model.id) || storeys.has(null)) this.apply(model);
    }
  }

  clearData(): void {
    this.data.clear();
  }

  /** Paint some rooms in their own colours over the mode (null: back to the mode's colours). */
  setHighlight(highlight: Highlight | null): void {
    this.highlight = highlight && highlight.colours.size ? highlight : null;
    this.applyAll();
  }

  get highlighted(): string[] {
    return this.highlight ? [...this.highlight.colours.keys()] : [];
  }

  row(globalId: string): RoomRow | undefined {
    return this.data.get(globalId);
  }

  rows(): RoomRow[] {
    return [...this.data.values()];
  }

  /** The colour a room shows in the current mode (also used by the 2D plan). */
  colourOf(globalId: string): number {
    const own = this.highlight?.colours.get(globalId);
    if (own !== undefined) return own;
    const row = this.data.get(globalId);
    const colour = row ? colourFor(this.mode, row) : NO_DATA;
    return this.highlight?.dimOthers ? lerpColour(colour, DIMMED_COLOUR, 0.8) : colour;
  }

  /** Colour one storey (e.g. as soon as it has arrived): one attribute rewrite. */
  apply(model: StoreyModel): void {
    model.rooms.setColours((room) => this.colourOf(room.globalId));
    this.overlay(model, this.hovered);
    this.overlay(model, this.selected);
    this.viewer.requestRender();
  }

  applyAll(): void {
    for (const model of this.viewer.storeys.values()) this.apply(model);
  }

  select(globalId: string | null): void {
    const previous = this.selected;
    this.selected = globalId;
    this.restore(previous);
    this.paintEverywhere(globalId);
  }

  hover(globalId: string | null): void {
    const previous = this.hovered;
    this.hovered = globalId;
    if (previous !== this.selected) this.restore(previous);
    if (globalId !== this.selected) this.paintEverywhere(globalId);
  }

  private restore(globalId: string | null): void {
    if (!globalId) return;
    for (const model of this.viewer.storeys.values()) {
      const index = model.rooms.indexOf(globalId);
      if (index !== undefined) model.rooms.paint(index, null);
    }
    this.viewer.requestRender();
  }

  private paintEverywhere(globalId: string | null): void {
    if (!globalId) return;
    for (const model of this.viewer.storeys.values()) this.overlay(model, globalId);
    this.viewer.requestRender();
  }

  private overlay(model: StoreyModel, globalId: string | null): void {
    if (!globalId) return;
    const index = model.rooms.indexOf(globalId);
    if (index === undefined) return;
    const colour = globalId === this.selected ? SELECTED_COLOUR : shade(model.rooms.baseColour(index), 0.45);
    model.rooms.paint(index, colour);
  }

  dispose(): void {
    this.data.clear();
  }
}
