// The packaged app's Electron fuses, read from electron-builder.yml (the
// binary cannot be built here): each one that keeps other code from running
// as Latchkey must stay set the safe way. Key names are electron-builder's
// (FuseOptionsV1 in app-builder-lib's scheme.json), checked too, so a typo
// that electron-builder would reject, or silently ignore, fails here.
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');

const REQUIRED = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
} as const;

function builderConfig(): Record<string, unknown> {
  return yaml.load(fs.readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
}

describe('electron-builder: Electron fuses', () => {
  it('sets every hardening fuse the safe way', () => {
    const fuses = builderConfig().electronFuses as Record<string, unknown> | undefined;
    expect(fuses, 'electron-builder.yml has no electronFuses').toBeTypeOf('object');
    for (const [name, safe] of Object.entries(REQUIRED)) expect(fuses?.[name], name).toBe(safe);
  });

  it("uses only key names electron-builder's schema knows, and does not turn packaging into a loose folder", () => {
    const scheme = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: Record<string, { properties?: Record<string, unknown> }>;
    };
    const known = Object.keys(scheme.definitions.FuseOptionsV1?.properties ?? {});
    expect(known.length).toBeGreaterThan(0);
    const config = builderConfig();
    for (const name of Object.keys(config.electronFuses as object)) expect(known, name).toContain(name);
    for (const name of Object.keys(REQUIRED)) expect(known, name).toContain(name);
    // onlyLoadAppFromAsar and the integrity check mean nothing without an asar.
    expect(config.asar ?? true).toBe(true);
  });
});
