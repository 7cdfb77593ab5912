/** A quick reply's text with its variables filled; unknown variables are left as typed. */
export function fillQuickReply(body: string, values: { name: string; agent: string }): string {
  const firstName = values.name.trim().split(/\s+/)[0] ?? values.name;
  const table: Record<string, string> = { name: values.name, first_name: firstName, agent: values.agent };
  return body.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => table[key] ?? whole);
}
