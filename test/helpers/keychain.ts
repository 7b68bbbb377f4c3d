// The integration tests use the real OS keychain. `npm test` (test/run.sh)
// starts a private D-Bus session with an unlocked gnome-keyring and sets
// LATCHKEY_TEST_TMP; outside it we refuse to touch the developer's keychain.
export const inPrivateKeychain = process.env.LATCHKEY_TEST_TMP !== undefined && process.env.DBUS_SESSION_BUS_ADDRESS !== undefined;
export const keychainSkipReason = 'needs the private gnome-keyring session that `npm test` starts';
