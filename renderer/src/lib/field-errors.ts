// The engine reports validation failures as one line naming each field
// (`orgUrl: not a URL ...; auth.token: the API token is empty`, see
// describeZodError in shared/contract). We split it so each message can sit
// next to its input; whatever names no known field stays a form-level error.

export type FieldErrors = { fields: Record<string, string>; form: string | null };

export function splitFieldErrors(message: string, knownFields: readonly string[]): FieldErrors {
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  // The dispatcher prefixes the list with the channel ("invalid input for connections:add: name: ..."):
  // without this, the first field's message would not sit next to its field.
  const body = message.replace(/^invalid input for [\w:-]+: /, '');
  for (const part of body.split(/;\s+/)) {
    const m = /^([A-Za-z][\w.[\]]*): (.+)$/.exec(part.trim());
    const path = m?.[1];
    const text = m?.[2];
    // Longest known field that is a prefix of the path: `auth.scopes.0` -> `auth.scopes`, `policy.steps[2].kind` -> `policy.steps`.
    const field =
      path === undefined
        ? undefined
        : [...knownFields]
            .sort((a, b) => b.length - a.length)
            .find((f) => path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`));
    if (field !== undefined && text !== undefined) {
      fields[field] = fields[field] ? `${fields[field]}; ${text}` : text;
    } else if (part.trim() !== '') {
      rest.push(part.trim());
    }
  }
  return { fields, form: rest.length > 0 ? rest.join('; ') : null };
}
