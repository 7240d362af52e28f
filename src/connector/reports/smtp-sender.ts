import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { rootCertificates } from 'node:tls';
import nodemailer from 'nodemailer';
import { ConfigError } from '../config';
import type { ReportContent } from './report-content';

/**
 * The SMTP server comes from the environment, never from the config file or the store:
 * WASPEND_SMTP_HOST (required), WASPEND_SMTP_PORT (default 587, 465 with tls), WASPEND_SMTP_TLS
 * (`starttls` default: STARTTLS required; `tls`: implicit TLS; `none`: plain, for a relay on localhost),
 * WASPEND_SMTP_USER and WASPEND_SMTP_PASSWORD (both or neither), WASPEND_SMTP_CA_FILE (PEM
 * certificates trusted besides the system's, for a private CA or a self-signed server certificate).
 * The server's certificate and name are always verified; there is no switch that skips it.
 */
export interface SmtpSettings {
  host: string;
  port: number;
  tls: 'starttls' | 'tls' | 'none';
  user?: string;
  password?: string;
  /** The file's PEM text, read once at start (a file gone later does not break a running connector). */
  ca?: { file: string; pem: string };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readCaFile(file: string): { file: string; pem: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('WASPEND_SMTP_CA_FILE', `cannot read "${file}": ${(err as Error).message}`);
  }
  const certs = text.match(PEM_CERTIFICATE) ?? [];
  if (certs.length === 0) throw new ConfigError('WASPEND_SMTP_CA_FILE', `"${file}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  certs.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new ConfigError('WASPEND_SMTP_CA_FILE', `certificate ${i + 1} in "${file}" is not valid: ${(err as Error).message}`);
    }
  });
  return { file, pem: certs.join('\n') };
}

export function smtpSettingsFromEnv(env: NodeJS.ProcessEnv): SmtpSettings {
  const host = env.WASPEND_SMTP_HOST?.trim();
  if (!host) throw new ConfigError('WASPEND_SMTP_HOST', 'must be set when a report is delivered by smtp');
  const tls = (env.WASPEND_SMTP_TLS?.trim() || 'starttls') as SmtpSettings['tls'];
  if (!['starttls', 'tls', 'none'].includes(tls)) throw new ConfigError('WASPEND_SMTP_TLS', `must be starttls, tls or none, got "${tls}"`);
  const portText = env.WASPEND_SMTP_PORT?.trim();
  const port = portText ? Number(portText) : tls === 'tls' ? 465 : 587;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError('WASPEND_SMTP_PORT', `"${portText}" is not a port number (1-65535)`);
  const user = env.WASPEND_SMTP_USER || undefined;
  const password = env.WASPEND_SMTP_PASSWORD || undefined;
  if (Boolean(user) !== Boolean(password))
    throw new ConfigError(
      user ? 'WASPEND_SMTP_PASSWORD' : 'WASPEND_SMTP_USER',
      'set both WASPEND_SMTP_USER and WASPEND_SMTP_PASSWORD, or neither',
    );
  const caFile = env.WASPEND_SMTP_CA_FILE?.trim();
  // A CA for a plain connection would be silently unused: the operator meant TLS.
  if (caFile && tls === 'none')
    throw new ConfigError('WASPEND_SMTP_CA_FILE', 'is set but WASPEND_SMTP_TLS is none (no TLS, nothing to verify)');
  return { host, port, tls, ...(user ? { user } : {}), ...(password ? { password } : {}), ...(caFile ? { ca: readCaFile(caFile) } : {}) };
}

/** OpenSSL's and Node's codes for a server certificate the client does not accept. */
const CERTIFICATE_REFUSED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * nodemailer reports a refused certificate as a bare socket error ("unable to verify the first
 * certificate"); say what it means and what to do, since this text is what /health shows.
 */
export function explainSmtpError(err: unknown, settings: SmtpSettings): Error {
  const e = err as { message?: string; code?: string; originalCode?: string };
  const code = e.originalCode ?? e.code ?? '';
  if (!CERTIFICATE_REFUSED.has(code)) return err instanceof Error ? err : new Error(String(err));
  const trusted = settings.ca ? `the system's CAs and WASPEND_SMTP_CA_FILE (${settings.ca.file})` : "the system's CAs";
  return new Error(
    `SMTP server ${settings.host}:${settings.port}: TLS certificate refused (${e.message ?? code}; ${code}): ` +
      `it is not signed for this host by ${trusted}. For a private CA or a self-signed certificate, set WASPEND_SMTP_CA_FILE to its PEM file`,
  );
}

export interface Mail {
  from: string;
  to: readonly string[];
  content: ReportContent;
}

/** Sends over SMTP with nodemailer; the CSV is an attachment, the summary the text body. */
export function createSmtpSender(settings: SmtpSettings): { send(mail: Mail): Promise<void>; secrets: string[]; close(): void } {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.tls === 'tls',
    requireTLS: settings.tls === 'starttls',
    ignoreTLS: settings.tls === 'none',
    // Verification stays on (Node's default, said here so no one reads it as forgotten); a CA file adds to the system's CAs.
    tls: { rejectUnauthorized: true, ...(settings.ca ? { ca: [...rootCertificates, settings.ca.pem] } : {}) },
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return {
    secrets: [settings.password ?? '', settings.user ?? ''].filter(Boolean),
    async send(mail) {
      await transport
        .sendMail({
          from: mail.from,
          to: [...mail.to],
          subject: mail.content.subject,
          text: `${mail.content.summary}\n\nThe report is attached as ${mail.content.filename} (CSV, RFC 4180).\n`,
          attachments: [{ filename: mail.content.filename, content: mail.content.csv, contentType: 'text/csv; charset=utf-8' }],
        })
        .catch((err: unknown) => {
          throw explainSmtpError(err, settings);
        });
    },
    close: () => transport.close(),
  };
}
