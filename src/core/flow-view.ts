/**
 * A view a flow contributes to the dashboard, beside the views every flow has (its picture, its
 * messages, its dead letters). A view is data, never code in the page: its `load` reads the
 * flow's state and returns one of a few plain shapes the page knows how to show (a gallery of
 * cards, or a table), which the page builds from text and attributes only. Pictures are blob
 * locations, served by the dashboard's own blob route; links stay inside the dashboard (a
 * message's page, a search of messages, a blob).
 *
 * The weather flow's GIF gallery (`examples/weather/gallery.ts`) is one.
 */
import type { BlobStore } from '../ports/blob-store.js';
import type { MessageBrowser } from '../ports/message-browser.js';
import type { MessageStatus, StateStore } from '../ports/state-store.js';
import type { Location } from './message.js';

export interface FlowView {
  /** Names it in addresses (`#/views/<id>`, `/api/views/<id>`): lowercase letters, digits and dashes, 1 to 40, a letter first. */
  readonly id: string;
  /** Its name in the page's navigation and its heading. */
  readonly title: string;
  /** One line under the heading. */
  readonly description?: string;
  /**
   * The message types whose arrival (or failure) changes what it shows: an open page reloads it
   * when one is recorded. @defaultValue every message that settles
   */
  readonly changesOn?: readonly string[];
  /** What it shows now. The dashboard checks the answer and sends the page only the known fields. */
  load(context: FlowViewContext): Promise<FlowViewContent>;
}

export interface FlowViewContext {
  /** The flow's state, read only. */
  readonly state: StateStore & MessageBrowser;
  readonly blobs: BlobStore;
  readonly query: FlowViewQuery;
  /** How many cards or rows to return at most. */
  readonly limit: number;
}

export interface FlowViewQuery {
  /** Only what belongs to this key (a message definition's `key`, e.g. one imageId), when the page picked one. */
  readonly key?: string;
}

export type FlowViewContent = ViewGallery | ViewTable;

/** Cards, newest first, grouped under their keys. */
export interface ViewGallery {
  readonly kind: 'gallery';
  readonly cards: readonly ViewCard[];
  /** What the page says when there are no cards. */
  readonly empty?: string;
}

export interface ViewCard {
  /** Stays the same across loads: a card whose content did not change keeps its element (an animated GIF keeps playing). */
  readonly id: string;
  /** The key it belongs to: cards are grouped under it, and the page offers it as a filter. */
  readonly key?: string;
  readonly title: string;
  readonly subtitle?: string;
  /** The card's picture. */
  readonly image?: ViewImage;
  /** Small pictures under it, e.g. the frames' thumbnails. */
  readonly images?: readonly ViewImage[];
  /** Small facts, label and value. */
  readonly fields?: readonly ViewField[];
  readonly links?: readonly ViewLink[];
}

export interface ViewImage {
  /** A blob: the page shows it through the dashboard's blob route. */
  readonly location: Location;
  readonly alt: string;
  readonly caption?: string;
  /** The message whose page the picture opens. */
  readonly messageId?: string;
}

export interface ViewField {
  readonly label: string;
  readonly value: string | number;
}

/** A link inside the dashboard: a message's page, a search of messages, or a blob. */
export type ViewLink =
  | { readonly text: string; readonly messageId: string }
  | { readonly text: string; readonly search: { readonly type?: string; readonly key?: string; readonly status?: MessageStatus } }
  | { readonly text: string; readonly blob: Location };

/** Rows under column headings. */
export interface ViewTable {
  readonly kind: 'table';
  readonly columns: readonly string[];
  /** Each row has one cell per column: text, a number, or a link. */
  readonly rows: readonly (readonly ViewCell[])[];
  readonly empty?: string;
}

export type ViewCell = string | number | ViewLink;
