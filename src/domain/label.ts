export interface Label {
  id: string;
  /** Lower-case, unique. */
  name: string;
  emoji?: string;
  /** Conversations of contacts with this label go to this channel instead of the inbox. */
  routeChannel?: string;
  createdAt: Date;
}

export interface LabelRepository {
  /** Throws LABEL_EXISTS when the name is taken. */
  create(input: { name: string; emoji?: string }): Promise<Label>;
  findByName(name: string): Promise<Label | null>;
  list(): Promise<Label[]>;
  setRoute(name: string, channel: string | null): Promise<Label | null>;
  /** Gives the label a new name, keeping its route; null when `from` does not exist, LABEL_EXISTS when `to` does. */
  rename(from: string, to: string): Promise<Label | null>;
  remove(name: string): Promise<boolean>;
}
