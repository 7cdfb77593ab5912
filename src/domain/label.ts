export interface Label {
  id: string;
  /** Lower-case, unique. */
  name: string;
  emoji?: string;
  /** Conversations of contacts with this label go to this channel instead of the inbox. */
  routeChannel?: string;
  /**
   * Which route wins when a contact carries several routed labels: the lowest number, then the
   * name (so the choice never depends on the order the labels were added). Set with the route.
   */
  routePriority?: number;
  createdAt: Date;
}

export interface LabelRepository {
  /** Throws LABEL_EXISTS when the name is taken. */
  create(input: { name: string; emoji?: string }): Promise<Label>;
  findByName(name: string): Promise<Label | null>;
  list(): Promise<Label[]>;
  /**
   * Routes the label's new conversations to `channel` (null: back to the inbox, dropping the
   * priority). Without a priority the label keeps its own, or a new route goes after every other.
   */
  setRoute(name: string, channel: string | null, priority?: number): Promise<Label | null>;
  /** The routed labels among `names`, the winning route first (lowest priority, then name). */
  routesAmong(names: readonly string[]): Promise<Label[]>;
  /** Gives the label a new name, keeping its route; null when `from` does not exist, LABEL_EXISTS when `to` does. */
  rename(from: string, to: string): Promise<Label | null>;
  remove(name: string): Promise<boolean>;
}

/** Route order: lowest priority first; a route from before priorities existed after every numbered one; then by name. */
export function byRoutePriority(a: Label, b: Label): number {
  const pa = a.routePriority ?? Number.POSITIVE_INFINITY;
  const pb = b.routePriority ?? Number.POSITIVE_INFINITY;
  return pa !== pb ? (pa < pb ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
