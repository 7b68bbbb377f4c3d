// The browse address of a Jira issue: a pure function kept apart from the
// site's client code, so readers that only print links (the evidence sheets,
// in their worker) do not load the Jira SDK.

/** The browse URL of an issue on the site. */
export const issueUrl = (siteUrl: string, key: string): string => `${siteUrl.replace(/\/$/, '')}/browse/${encodeURIComponent(key)}`;
