// TLS material for the sandbox's HTTPS servers (the Graph sandbox must be
// https: the Microsoft Graph SDK only sends a bearer token to a custom host
// over https). Generated at every start, never written to disk: a CA that
// exists only for the life of one sandbox, and a server certificate it signs
// for 127.0.0.1 / ::1 / localhost. Clients trust the sandbox by pinning
// `caPem` (never by turning certificate checks off).
//
// Key pairs come from node:crypto (native, a few ms each); node-forge only
// builds and signs the X.509 certificates. Generating RSA keys in forge's
// pure-JS code instead costs seconds per key.
import { createHash, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export type TlsMaterial = {
  /** The per-start CA certificate (PEM): the one thing a client must trust. */
  caPem: string;
  /** The server certificate (PEM), signed by the CA. */
  certPem: string;
  /** The server certificate's private key (PKCS#8 PEM). */
  keyPem: string;
};

export type TlsOptions = {
  /** Extra DNS names for the server certificate (localhost is always included). */
  dnsNames?: readonly string[];
  /** Extra IP addresses (127.0.0.1 and ::1 are always included). */
  ipAddresses?: readonly string[];
  /** Validity start (default now); certificates last 30 days from an hour before it. */
  now?: Date;
};

const generateKeyPairAsync = promisify(generateKeyPair);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function rsaKeyPair(): Promise<{ privatePem: string; forgePrivate: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey }> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgePrivate = forge.pki.privateKeyFromPem(privatePem);
  const forgePublic = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { privatePem, forgePrivate, forgePublic };
}

/** A positive serial number (X.509 serials are signed integers: keep the top bit clear). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** Generates a fresh CA and a server certificate for loopback. Takes a few tens of ms. */
export async function generateSandboxTls(options: TlsOptions = {}): Promise<TlsMaterial> {
  const now = (options.now ?? new Date()).getTime();
  const [ca, server] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const notBefore = new Date(now - HOUR);
  const notAfter = new Date(now + 30 * DAY);

  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.forgePublic;
  caCert.serialNumber = serialNumber();
  caCert.validity.notBefore = notBefore;
  caCert.validity.notAfter = notAfter;
  const caSubject = [
    { name: 'commonName', value: `Latchkey Sandbox CA ${randomBytes(4).toString('hex')}` },
    { name: 'organizationName', value: 'Latchkey Sandbox' },
  ];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.forgePrivate, forge.md.sha256.create());

  const cert = forge.pki.createCertificate();
  cert.publicKey = server.forgePublic;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caSubject);
  const dns = ['localhost', ...(options.dnsNames ?? [])];
  const ips = ['127.0.0.1', '::1', ...(options.ipAddresses ?? [])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.forgePrivate, forge.md.sha256.create());

  return { caPem: forge.pki.certificateToPem(caCert), certPem: forge.pki.certificateToPem(cert), keyPem: server.privatePem };
}

/** A certificate credential of an app registration: self-signed, as `New-SelfSignedCertificate` or openssl make them. */
export type AppCertificate = {
  /** The certificate (PEM), what is uploaded to the app registration. */
  certPem: string;
  /** Its private key (PKCS#8 PEM). */
  keyPem: string;
  /** Certificate then key, one PEM file: what a client is configured with. */
  pem: string;
  /** SHA-1 and SHA-256 of the DER certificate, hex (a client assertion names one in its x5t / x5t#S256 header). */
  thumbprintSha1: string;
  thumbprintSha256: string;
};

/** Thumbprints of a PEM certificate (hex of the SHA-1 / SHA-256 of its DER bytes). */
export function certificateThumbprints(certPem: string): { sha1: string; sha256: string } {
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem))).getBytes(), 'binary');
  return { sha1: createHash('sha1').update(der).digest('hex'), sha256: createHash('sha256').update(der).digest('hex') };
}

/** A fresh self-signed certificate and key for an app registration's certificate credential (valid a year). */
export async function generateAppCertificate(commonName: string, now = new Date()): Promise<AppCertificate> {
  const key = await rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePublic;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - HOUR);
  cert.validity.notAfter = new Date(now.getTime() + 365 * DAY);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(key.forgePrivate, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const { sha1, sha256 } = certificateThumbprints(certPem);
  return { certPem, keyPem: key.privatePem, pem: `${certPem}${key.privatePem}`, thumbprintSha1: sha1, thumbprintSha256: sha256 };
}
