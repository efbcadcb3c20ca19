/**
 * A bounded memo for pure functions of a few primitive arguments. The labels on a page are the same few
 * instants in the same few zones over and over (an event's start, end and deadline), and building them
 * costs Intl formatters and Luxon conversions; remembering the text saves that work on every request.
 * When it holds `limit` entries it starts afresh, so memory stays bounded whatever callers ask for.
 */
export function boundedMemo<T>(limit: number): (key: string, make: () => T) => T {
  let entries = new Map<string, T>();
  return (key, make) => {
    const hit = entries.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    if (entries.size >= limit) entries = new Map();
    entries.set(key, value);
    return value;
  };
}
